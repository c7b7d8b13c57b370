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
    let without = Config { compare_insatser: false, ..Config::default() };
    group.bench_function("annual report, in memory, without the comparison of insatser", |b| {
        b.iter(|| black_box(annual_report(&data, 2020, &without).expect("report")))
    });
    group.bench_function("annual report, from CSV", |b| {
        b.iter(|| {
            let (data, _) = Dataset::read_csv_dir(&dir, &CsvOptions::default(), &Rules::default()).expect("read");
            black_box(annual_report(&data, 2020, &config).expect("report"))
        })
    });
    group.finish();
}

/// The survey indicators (every questionnaire of 2020–2021 scored, all
/// cells summed, tables built) and the money: every förbund's §5 split and
/// the allocation model for one year.
fn surveys_and_money(c: &mut Criterion) {
    let scale = scale();
    let data = generate(&SyntheticConfig { scale, ..SyntheticConfig::default() }).expect("synthetic data");
    let config = finsam_core::survey::SurveyConfig::default();
    let answers = data.enkatsvar.iter().filter(|a| (2020..=2021).contains(&a.ar)).count() as u64;
    let mut group = c.benchmark_group(format!("surveys-money-x{scale}"));
    group.sample_size(20);
    group.throughput(Throughput::Elements(answers));
    group.bench_function("survey section (2 years of answers)", |b| {
        b.iter(|| black_box(finsam_core::survey::report_tables(&data, 2021, &config).expect("survey")))
    });
    group.throughput(Throughput::Elements(data.forbund.len() as u64));
    group.bench_function("financing split, all förbund", |b| {
        b.iter(|| black_box(finsam_core::finance::financing(&data, 2021).expect("split")))
    });
    group.bench_function("allocation model with inputs", |b| {
        b.iter(|| {
            let inputs = finsam_core::finance::allocation::allocation_inputs(&data, 2021).expect("inputs");
            black_box(finsam_core::finance::allocate(2021, &inputs, &Default::default()).expect("allocation"))
        })
    });
    group.finish();
}

criterion_group!(benches, report, surveys_and_money);
criterion_main!(benches);
