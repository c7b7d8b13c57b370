//! Nearest-neighbour matching at register scale: 20,000 participants
//! against 2,000,000 comparison persons (propensity fit + 1:1 match).

use criterion::{Criterion, criterion_group, criterion_main};
use finsam_core::evaluation::Frame;
use finsam_core::evaluation::matching::{MatchOptions, match_units, propensity};

/// A deterministic frame: a treatment, two numeric covariates and a
/// three-level category (a cheap LCG, so the bench needs no RNG crate).
fn frame(treated: usize, controls: usize) -> Frame {
    let n = treated + controls;
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut uniform = move || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut t = Vec::with_capacity(n);
    let mut age = Vec::with_capacity(n);
    let mut days = Vec::with_capacity(n);
    let mut edu = Vec::with_capacity(n);
    let mut chosen = 0;
    for i in 0..n {
        let treat = i % (n / treated) == 0 && chosen < treated;
        chosen += usize::from(treat);
        let shift = if treat { 0.5 } else { 0.0 };
        t.push(Some(f64::from(u8::from(treat))));
        age.push(Some(20.0 + 44.0 * uniform() - 5.0 * shift));
        days.push(Some((200.0 * uniform() * (1.0 + shift)).floor()));
        edu.push(Some(["Eftergymnasial", "Forgymnasial", "Gymnasial"][(uniform() * 3.0) as usize % 3]));
    }
    Frame::new()
        .with_numeric("t", t)
        .and_then(|f| f.with_numeric("alder", age))
        .and_then(|f| f.with_numeric("dagar", days))
        .and_then(|f| f.with_categorical("utbildning", edu))
        .expect("bench frame")
}

fn bench(c: &mut Criterion) {
    let f = frame(20_000, 2_000_000);
    let options = MatchOptions::new("t", &["alder", "dagar", "utbildning"]);
    let mut group = c.benchmark_group("matching");
    group.sample_size(10);
    group.bench_function("nearest_20k_vs_2m", |b| b.iter(|| match_units(&f, &options).map(|m| m.counts.treated_after)));
    // The propensity fit alone: the rest of the first is the matching.
    group.bench_function("propensity_2m", |b| {
        b.iter(|| propensity(&f, "t", &["alder", "dagar", "utbildning"]).map(|p| p.n_treated))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
