//! The §5 financing split and the state's allocation model: hand-worked
//! cases (exact to the öre) and properties over random inputs.

use finsam_core::finance::allocation::allocation_inputs;
use finsam_core::finance::split::{Member, split_budget};
use finsam_core::finance::{
    AllocationInput, AllocationParams, Betalare, EquityRule, KommunBasis, allocate, apportion, financing,
};
use finsam_core::*;
use proptest::prelude::*;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn k(code: u16) -> KommunKod {
    KommunKod::new(code).unwrap()
}

fn stats(kommun: u16, ar: i32, invanare: u32) -> Kommunstatistik {
    Kommunstatistik {
        kommun: k(kommun),
        ar,
        invanare,
        invanare_16_64: invanare / 2,
        forsorjningsmatt: [Hundradelar(100); 7],
    }
}

/// A förbund over two län: Stockholm (01) all year, Lidingö (01) from
/// 1 July 2021, Enköping (03) all year.
fn two_regions() -> Dataset {
    let join =
        |kommun, datum: &str| Medlemskap { kommun: k(kommun), datum: d(datum), handelse: Medlemshandelse::Intrade };
    Dataset {
        forbund: vec![Forbund {
            id: ForbundId(1),
            namn: "Tvålän".into(),
            start: d("2015-01-01"),
            slut: None,
            medlemskap: vec![join(180, "2015-01-01"), join(186, "2021-07-01"), join(381, "2015-01-01")],
            foregangare: vec![],
        }],
        forbund_ekonomi: vec![ForbundEkonomi {
            forbund: ForbundId(1),
            ar: 2021,
            budget: Some(Ore(100_000_003)),
            statlig_tilldelning: None,
            eget_kapital: None,
            administrationskostnad: None,
        }],
        kommunstatistik: vec![stats(180, 2021, 1000), stats(186, 2021, 500), stats(381, 2021, 250)],
        ..Dataset::default()
    }
}

#[test]
fn split_by_population_and_days_is_exact_to_the_ore() {
    let data = two_regions();
    data.validate(&Rules::default(), ErrorPolicy::FailFast).unwrap();
    let s = &financing(&data, 2021).unwrap()[0];
    assert_eq!(s.kommun_basis, KommunBasis::Befolkning);
    // 1,000,000.03 kr: quotas 500,000.015 / 250,000.0075 / 250,000.0075 kr;
    // the two öre left go to the larger remainders (.75 öre each).
    let amounts: Vec<(Betalare, i64, u32)> = s.parts.iter().map(|p| (p.betalare, p.belopp.0, p.dagar)).collect();
    assert_eq!(
        amounts,
        vec![
            (Betalare::Staten, 50_000_001, 365),
            // Regions by inhabitants × days: 01 = 1000·365 + 500·184 = 457,000; 03 = 250·365 = 91,250.
            (Betalare::Region(1), 20_839_034, 365),
            (Betalare::Region(3), 4_160_967, 365),
            // Kommuner by 365,000 : 92,000 (Lidingö, 184 days) : 91,250.
            (Betalare::Kommun(k(180)), 16_643_867, 365),
            (Betalare::Kommun(k(186)), 4_195_167, 184),
            (Betalare::Kommun(k(381)), 4_160_967, 365),
        ]
    );
    assert_eq!(s.parts.iter().map(|p| p.belopp.0).sum::<i64>(), 100_000_003);
    assert_eq!(s.total_of("region").0, 25_000_001);
}

#[test]
fn split_by_forbundsordning_shares() {
    let mut data = two_regions();
    let share =
        |kommun, andel| Kommunandel { forbund: ForbundId(1), ar: 2021, kommun: k(kommun), andel: Hundradelar(andel) };
    data.kommunandelar = vec![share(180, 5_000), share(186, 3_000), share(381, 2_000)];
    let s = &financing(&data, 2021).unwrap()[0];
    assert_eq!(s.kommun_basis, KommunBasis::Forbundsordning);
    // Weights 5000·365 : 3000·184 : 2000·365 of 25,000,001 öre.
    let kommuner: Vec<i64> = s.parts.iter().filter(|p| p.betalare.kind() == "kommun").map(|p| p.belopp.0).collect();
    let expected = apportion(Ore(25_000_001), &[5_000 * 365, 3_000 * 184, 2_000 * 365]).unwrap();
    assert_eq!(kommuner, expected.iter().map(|o| o.0).collect::<Vec<_>>());
    assert_eq!(kommuner, vec![14_684_584, 4_441_584, 5_873_833]);
    // A share for a kommun that is not a member is an error, not ignored.
    data.kommunandelar.push(share(2580, 1_000));
    assert_eq!(financing(&data, 2021).unwrap_err().code(), "membership_conflict");
}

#[test]
fn a_missing_population_is_an_error() {
    let mut data = two_regions();
    data.kommunstatistik.pop();
    let err = financing(&data, 2021).unwrap_err();
    assert_eq!(err.code(), "missing_statistics");
    assert!(err.to_string().contains("0381"), "{err}");
}

fn input(id: u32, fm: i64, pop: u64, last: Option<i64>, equity: Option<i64>, budget: Option<i64>) -> AllocationInput {
    let mut forsorjningsmatt = [Hundradelar(0); 7];
    forsorjningsmatt[0] = Hundradelar(fm);
    AllocationInput {
        forbund: ForbundId(id),
        namn: format!("F{id}"),
        kommuner: vec![],
        invanare_16_64: pop,
        forsorjningsmatt,
        foregaende: last.map(Ore::from_kronor),
        eget_kapital: equity.map(Ore::from_kronor),
        budget: budget.map(Ore::from_kronor),
    }
}

#[test]
fn allocation_hand_worked_with_the_floor_and_the_equity_rule() {
    // Total 3,000,000 kr; base 3 × 400,000; rest 1,800,000 = 1,350,000 by
    // försörjningsmått (600 : 300 : 100) + 450,000 by population (5 : 3 : 1).
    let inputs = [
        input(1, 60_000, 5_000, Some(1_000_000), Some(0), Some(2_000_000)),
        input(2, 30_000, 3_000, Some(1_300_000), None, None),
        // Equity 900,000 against a level of 20 % × 2,000,000 = 400,000:
        // reduced by 50 % of the 500,000 excess, and no floor.
        input(3, 10_000, 1_000, None, Some(900_000), Some(2_000_000)),
    ];
    let params = AllocationParams { total: Ore::from_kronor(3_000_000), ..Default::default() };
    let a = allocate(2021, &inputs, &params).unwrap();
    let kr = |o: Ore| o.0 / 100;
    let model: Vec<i64> = a.rows.iter().map(|r| kr(r.modell)).collect();
    assert_eq!(model, vec![1_460_000, 955_000, 585_000]);
    assert_eq!(a.rows.iter().map(|r| kr(r.forsorjningsdel)).collect::<Vec<_>>(), vec![810_000, 405_000, 135_000]);
    assert_eq!(a.rows.iter().map(|r| kr(r.befolkningsdel)).collect::<Vec<_>>(), vec![250_000, 150_000, 50_000]);
    assert_eq!(kr(a.rows[2].minskning), 250_000);
    assert_eq!(a.rows[2].golv, None);
    // Round 1: 2,665,000 − 800,000 = 1,865,000 by 1,060,000 : 555,000 gives
    // F2 400,000 + 640,851.39 < its floor 1,170,000: held there. Round 2:
    // F1 gets 2,665,000 − 1,170,000 = 1,495,000.
    assert_eq!(a.rows.iter().map(|r| kr(r.tilldelning)).collect::<Vec<_>>(), vec![1_495_000, 1_170_000, 335_000]);
    assert_eq!(a.rows.iter().map(|r| r.sparr).collect::<Vec<_>>(), vec![false, true, false]);
    assert_eq!(a.rundor, 2);
    assert_eq!(a.rows.iter().map(|r| kr(r.omfordelning())).collect::<Vec<_>>(), vec![35_000, 215_000, 0]);
    let t = a.to_table();
    assert_eq!(t.value(&["2021", "alla"], "tilldelning"), Some(300_000_000.0));
    assert_eq!(t.value(&["2021", "1"], "forandring_procent"), Some(49.5));
    assert_eq!(t.get(&["2021", "3"], "foregaende").unwrap().reason().map(|r| r.code()), Some("not_computable"));
}

#[test]
fn absurd_amounts_are_errors_not_panics_or_wrong_numbers() {
    let huge = |id| input(id, i64::MAX / 100, u64::MAX, Some(i64::MAX / 100), None, None);
    let params = AllocationParams { grundbelopp: Ore(i64::MAX / 2), ..Default::default() };
    assert_eq!(allocate(2021, &[huge(1), huge(2), huge(3)], &params).unwrap_err().code(), "allocation_infeasible");
    let err = allocate(2021, &[huge(1), huge(2)], &AllocationParams::default()).unwrap_err();
    assert_eq!(err.code(), "allocation_infeasible", "{err}");
}

#[test]
fn allocation_of_the_synthetic_years_sums_to_the_state_total() {
    let data = synthetic::generate(&Default::default()).unwrap();
    for ar in 2016..=2023 {
        let total: i64 =
            data.forbund_ekonomi.iter().filter(|e| e.ar == ar).filter_map(|e| e.statlig_tilldelning).map(|o| o.0).sum();
        assert_eq!(total, Ore::from_kronor(339_000_000).0, "{ar}");
        for e in data.forbund_ekonomi.iter().filter(|e| e.ar == ar) {
            assert_eq!(e.budget.unwrap().0, 2 * e.statlig_tilldelning.unwrap().0);
        }
    }
    // The data's allocation for 2022 is what the model gives from them.
    let a = allocate(2022, &allocation_inputs(&data, 2022).unwrap(), &AllocationParams::default()).unwrap();
    for r in &a.rows {
        let e = data.forbund_ekonomi.iter().find(|e| e.ar == 2022 && e.forbund == r.forbund).unwrap();
        assert_eq!(e.statlig_tilldelning, Some(r.tilldelning));
    }
    // The merged Södra Norrbotten (2020) inherits its predecessors' 2019 allocations as last year's.
    let inputs = allocation_inputs(&data, 2020).unwrap();
    let sn = data.forbund.iter().find(|f| f.namn == "Samordningsförbundet Södra Norrbotten").unwrap();
    let last: i64 = sn
        .foregangare
        .iter()
        .map(|p| {
            data.forbund_ekonomi
                .iter()
                .find(|e| e.ar == 2019 && e.forbund == *p)
                .unwrap()
                .statlig_tilldelning
                .unwrap()
                .0
        })
        .sum();
    assert_eq!(inputs.iter().find(|i| i.forbund == sn.id).unwrap().foregaende, Some(Ore(last)));
}

#[test]
fn the_annual_report_has_the_survey_and_financing_sections() {
    let data = synthetic::generate(&Default::default()).unwrap();
    let report = report::annual_report(&data, 2021, &Default::default()).unwrap();
    let ids: Vec<&str> = report.tables.iter().map(|t| t.id.as_str()).collect();
    for id in [
        "enkatindikatorer",
        "enkatindikatorer_forandring",
        "enkatindikatorer_jamforelse",
        "finansiering",
        "statlig_fordelning",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let md = report.to_markdown();
    assert!(md.contains("Finansiering enligt lagen §5") && md.contains("Statens fördelning mellan förbund"));
}

fn arb_inputs() -> impl Strategy<Value = Vec<AllocationInput>> {
    prop::collection::vec(
        (
            1i64..5_000_000,
            1u64..400_000,
            prop::option::of(500_000i64..30_000_000),
            prop::option::of(0i64..20_000_000),
            1_000_000i64..60_000_000,
        ),
        1..25,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (fm, pop, last, equity, budget))| input(i as u32 + 1, fm, pop, last, equity, Some(budget)))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn allocation_properties(inputs in arb_inputs(), total_mkr in 150i64..600, equity_on in any::<bool>()) {
        let params = AllocationParams {
            total: Ore::from_kronor(total_mkr * 1_000_000),
            eget_kapital: equity_on.then(EquityRule::default),
            ..Default::default()
        };
        let a = match allocate(2021, &inputs, &params) {
            Ok(a) => a,
            Err(e) => {
                // Only the floors can make it infeasible here (the bases fit): they,
                // the equity-reduced amounts and the others' bases exceed the total.
                prop_assert_eq!(e.code(), "allocation_infeasible");
                let free: Vec<AllocationInput> = inputs.iter().cloned().map(|i| AllocationInput { foregaende: None, ..i }).collect();
                let Ok(model) = allocate(2021, &free, &params) else {
                    // Without floors it fails only when every förbund is reduced for equity.
                    prop_assert!(inputs.iter().all(|i| i.eget_kapital.zip(i.budget).is_some_and(|(e, b)| e > EquityRule::default().level(b))));
                    return Ok(());
                };
                let mut needed = 0i64;
                for (r, i) in model.rows.iter().zip(&inputs) {
                    let reduced = r.rimlig_niva.zip(r.eget_kapital).is_some_and(|(l, e)| e > l);
                    needed += match (reduced, i.foregaende) {
                        (true, _) => r.modell.0 - r.minskning.0,
                        (false, Some(last)) => (last.0 * 9 + 9) / 10,
                        (false, None) => params.grundbelopp.0,
                    };
                }
                prop_assert!(needed > params.total.0, "{} <= {}", needed, params.total.0);
                return Ok(());
            }
        };
        // The total is conserved to the öre.
        prop_assert_eq!(a.rows.iter().map(|r| r.tilldelning.0).sum::<i64>(), params.total.0);
        for r in &a.rows {
            prop_assert!(r.tilldelning.0 >= 0);
            // No fall of more than 10 % unless the equity rule applies.
            if let (Some(last), false) = (r.foregaende, r.rimlig_niva.zip(r.eget_kapital).is_some_and(|(l, e)| e > l)) {
                prop_assert!(r.tilldelning.0 * 10 >= last.0 * 9, "{:?}", r);
            }
        }
        // Monotone in försörjningsmått: raising one förbund's does not lower its allocation (beyond one öre of rounding).
        let mut more = inputs.clone();
        more[0].forsorjningsmatt[0].0 += 50_000;
        if let Ok(b) = allocate(2021, &more, &params) {
            prop_assert!(b.rows[0].tilldelning.0 + 1 >= a.rows[0].tilldelning.0, "{} < {}", b.rows[0].tilldelning, a.rows[0].tilldelning);
        }
    }

    #[test]
    fn split_parts_sum_to_the_budget_and_follow_the_weights(
        budget in 0i64..10_000_000_000,
        members in prop::collection::vec((0usize..290, 1u64..1_000_000, 1u32..=366), 1..12),
    ) {
        let all: Vec<KommunKod> = KommunKod::all().collect();
        let mut seen = std::collections::HashSet::new();
        let members: Vec<Member> = members
            .into_iter()
            .filter(|m| seen.insert(m.0))
            .map(|(i, inv, dagar)| Member { kommun: all[i], underlag: inv, invanare: Some(inv), dagar })
            .collect();
        let parts = split_budget(Ore(budget), &members).unwrap();
        prop_assert_eq!(parts.iter().map(|p| p.belopp.0).sum::<i64>(), budget);
        let quarter: i64 = parts.iter().filter(|p| p.betalare.kind() == "kommun").map(|p| p.belopp.0).sum();
        prop_assert!((quarter * 4 - budget).abs() <= 4);
        // Within the kommuner, a larger weight never pays less, and no part is more than one öre from its exact quota.
        let kommuner: Vec<_> = parts.iter().filter(|p| p.betalare.kind() == "kommun").collect();
        let total_weight: u128 = kommuner.iter().map(|p| p.vikt).sum();
        for a in &kommuner {
            let exact = quarter as f64 * a.vikt as f64 / total_weight as f64;
            prop_assert!((a.belopp.0 as f64 - exact).abs() < 1.0 + 1e-6 * exact.abs());
            for b in &kommuner {
                if a.vikt > b.vikt {
                    prop_assert!(a.belopp >= b.belopp);
                }
            }
        }
    }
}
