//! Staggered difference-in-differences (`att_gt` and its aggregations) on
//! a kommun panel (290 kommuner × 20 years) and a person panel (1,000,000
//! persons × 16 quarters), generated here.
//! `cargo bench -p finsam-benches --bench did`;
//! `FINSAM_DID_PERSONS=100000` for a smaller person panel.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use finsam_core::evaluation::Frame;
use finsam_core::evaluation::did::{Aggregation, AttGtOptions, Control, att_gt};

/// A balanced panel: `units` × `periods`, cohorts starting in periods
/// `first..first + cohorts` (a third never treated), a unit effect, a
/// covariate-dependent trend and a growing effect. Deterministic (an LCG).
fn panel(units: usize, periods: usize, first: usize, cohorts: usize) -> Frame {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut uniform = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let rows = units * periods;
    let (mut id, mut t, mut g, mut y, mut x) = (
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
    );
    for i in 0..units {
        let cohort = (uniform() * (cohorts as f64 * 1.5)) as usize;
        let group = if cohort < cohorts { (first + cohort) as f64 } else { 0.0 };
        let xi = uniform() * 2.0 - 1.0;
        let a = uniform() * 3.0;
        for k in 1..=periods {
            let k = k as f64;
            let effect = if group > 0.0 && k >= group { 1.0 + 0.1 * (k - group) } else { 0.0 };
            id.push(Some(i as f64));
            t.push(Some(k));
            g.push(Some(group));
            x.push(Some(xi));
            y.push(Some(a + 0.1 * k + 0.05 * xi * k + effect + uniform() - 0.5));
        }
    }
    Frame::new()
        .with_numeric("id", id)
        .and_then(|f| f.with_numeric("t", t))
        .and_then(|f| f.with_numeric("g", g))
        .and_then(|f| f.with_numeric("y", y))
        .and_then(|f| f.with_numeric("x", x))
        .expect("panel")
}

fn did(c: &mut Criterion) {
    let kommuner = panel(290, 20, 6, 10);
    let mut group = c.benchmark_group("did-kommuner-290x20");
    group.sample_size(20);
    group.throughput(Throughput::Elements(290 * 20));
    let o = AttGtOptions::new("y", "id", "t", "g");
    group.bench_function("att_gt dr", |b| b.iter(|| black_box(att_gt(&kommuner, &o).expect("att_gt"))));
    let cov = AttGtOptions { covariates: vec!["x".into()], control: Control::NotYetTreated, ..o.clone() };
    group.bench_function("att_gt dr, covariate, not yet treated", |b| {
        b.iter(|| black_box(att_gt(&kommuner, &cov).expect("att_gt")))
    });
    group.finish();

    let persons: usize = std::env::var("FINSAM_DID_PERSONS").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let people = panel(persons, 16, 5, 8);
    let mut group = c.benchmark_group(format!("did-persons-{persons}x16"));
    group.sample_size(10);
    group.throughput(Throughput::Elements(persons as u64 * 16));
    group.bench_function("att_gt dr", |b| b.iter(|| black_box(att_gt(&people, &o).expect("att_gt"))));
    group.bench_function("att_gt dr + dynamic aggregation", |b| {
        b.iter(|| {
            let r = att_gt(&people, &o).expect("att_gt");
            black_box(r.aggregate(&Aggregation::Dynamic { min_e: None, max_e: None }).expect("aggregate"))
        })
    });
    group.bench_function("att_gt dr, covariate", |b| {
        let cov = AttGtOptions { covariates: vec!["x".into()], ..o.clone() };
        b.iter(|| black_box(att_gt(&people, &cov).expect("att_gt")))
    });
    group.finish();
}

criterion_group!(benches, did);
criterion_main!(benches);
