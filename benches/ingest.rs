//! Ingest benchmarks: generating, writing, reading and validating the
//! synthetic national data set. Run with `cargo bench -p finsam-benches`
//! (`FINSAM_BENCH_SCALE=100` for the ×100 set; default ×1).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use finsam_core::ingest::CsvOptions;
use finsam_core::synthetic::{SyntheticConfig, generate};
use finsam_core::{Dataset, ErrorPolicy, Rules};

fn scale() -> f64 {
    std::env::var("FINSAM_BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0)
}

fn ingest(c: &mut Criterion) {
    let scale = scale();
    let config = SyntheticConfig { scale, ..SyntheticConfig::default() };
    let data = generate(&config).expect("synthetic data");
    let dir = finsam_benches::data_dir("ingest", scale);
    data.write_csv_dir(&dir).expect("write CSV");
    let rows = data.deltaganden.len() as u64;

    let mut group = c.benchmark_group(format!("x{scale}"));
    group.sample_size(10);
    group.throughput(Throughput::Elements(rows));
    group.bench_function("generate", |b| b.iter(|| black_box(generate(&config).expect("generate"))));
    group.bench_function("validate", |b| {
        b.iter(|| data.validate(&Rules::default(), ErrorPolicy::FailFast).expect("valid"))
    });
    group.bench_function("read_csv_dir", |b| {
        b.iter(|| black_box(Dataset::read_csv_dir(&dir, &CsvOptions::default(), &Rules::default()).expect("read")))
    });
    group.bench_function("to_arrow", |b| b.iter(|| black_box(data.to_arrow().expect("arrow"))));
    group.finish();
}

criterion_group!(benches, ingest);
criterion_main!(benches);
