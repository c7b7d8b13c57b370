//! Indicator benchmarks: the state of every indicator, and the whole annual
//! report, on the synthetic national data set from memory and from CSV.
//! `cargo bench -p finsam-benches --bench report` (×1);
//! `FINSAM_BENCH_SCALE=100 cargo bench -p finsam-benches --bench report` (×100).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use finsam_core::indicators::{Config, Context, Dim, Split, State};
use finsam_core::ingest::CsvOptions;
use finsam_core::report::annual_report;
use finsam_core::synthetic::{SyntheticConfig, generate};
use finsam_core::{Dataset, Rules};

fn scale() -> f64 {
    std::env::var("FINSAM_BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0)
}

fn report(c: &mut Criterion) {
    let scale = scale();
    let data = generate(&SyntheticConfig { scale, ..SyntheticConfig::default() }).expect("synthetic data");
    let dir = finsam_benches::data_dir("report", scale);
    data.write_csv_dir(&dir).expect("write CSV");
    let config = Config::default();
    let rows = data.deltaganden.len() as u64;

    let mut group = c.benchmark_group(format!("report-x{scale}"));
    group.sample_size(10);
    group.throughput(Throughput::Elements(rows));
    let ctx = Context::new(&data, &config, 2019..=2020).expect("context");
    let split = Split::new(&[Dim::Forbund, Dim::Kon]).expect("split");
    group.bench_function("state, 1 thread", |b| {
        b.iter(|| black_box(State::compute(&split, &ctx, &data.deltaganden, &data.anonyma_deltagare)))
    });
    group.bench_function("state, 2 threads", |b| {
        b.iter(|| black_box(State::compute_parallel(&split, &ctx, &data.deltaganden, &data.anonyma_deltagare, 2)))
    });
    group.bench_function("annual report, in memory", |b| {
        b.iter(|| black_box(annual_report(&data, 2020, &config).expect("report")))
    });
    group.bench_function("annual report, from CSV", |b| {
        b.iter(|| {
            let (data, _) = Dataset::read_csv_dir(&dir, &CsvOptions::default(), &Rules::default()).expect("read");
            black_box(annual_report(&data, 2020, &config).expect("report"))
        })
    });
    group.finish();
}

criterion_group!(benches, report);
criterion_main!(benches);
