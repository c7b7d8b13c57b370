//! The case-mix-adjusted comparison of insatser on the synthetic data set:
//! every individinriktad participation started 2017–2022 (6.7 million at
//! ×100 on about 2,500 insatser), the analysis frame built from the data
//! set, and the comparison (logistic case-mix model, observed against
//! expected, funnel, shrinkage and 1,000 rank draws) on it.
//! `cargo bench -p finsam-benches --bench casemix` (×1);
//! `FINSAM_BENCH_SCALE=100 cargo bench -p finsam-benches --bench casemix` (×100).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use finsam_core::evaluation::casemix::{CompareOptions, compare_units};
use finsam_core::evaluation::data::{AnalysisOptions, analysis_frame};
use finsam_core::report::COMPARISON_CASE_MIX;
use finsam_core::synthetic::{EvaluationConfig, SyntheticConfig, generate_with};

fn scale() -> f64 {
    std::env::var("FINSAM_BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0)
}

fn bench(c: &mut Criterion) {
    let scale = scale();
    let config = SyntheticConfig { scale, ..SyntheticConfig::default() };
    let (data, _) = generate_with(&config, &EvaluationConfig { comparison: 0.0 }).expect("synthetic data");
    let options = AnalysisOptions {
        years: Some(2017..=2022),
        comparison: false,
        all_participations: true,
        quarters_before: 4,
        quarters_after: 1,
        ..AnalysisOptions::default()
    };
    let frame = analysis_frame(&data, &options).expect("frame").frame;
    let mut compare = CompareOptions::new("arbete_studier", "insats", &COMPARISON_CASE_MIX);
    compare.pool_below = 10;
    compare.draws = 1000;
    let units = compare_units(&frame, &compare).expect("comparison").units.len();
    println!("{} participations, {units} insatser", frame.rows());

    let mut group = c.benchmark_group(format!("casemix-x{scale}"));
    group.sample_size(10);
    group.throughput(Throughput::Elements(frame.rows() as u64));
    group.bench_function("analysis frame, every participation 2017-2022", |b| {
        b.iter(|| black_box(analysis_frame(&data, &options).expect("frame")))
    });
    group.bench_function("compare insatser (case-mix model and comparison)", |b| {
        b.iter(|| black_box(compare_units(&frame, &compare).expect("comparison")))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
