//! CSV, JSON and Arrow ingest: round-trips, encodings, and never a panic.

use std::path::Path;

use finsam_core::ingest::{CsvOptions, CsvReader, Encoding, TableMapping, tables};
use finsam_core::synthetic::{SyntheticConfig, generate};
use finsam_core::*;
use proptest::prelude::*;

fn small() -> Dataset {
    generate(&SyntheticConfig { scale: 0.03, seed: 11 }).expect("synthetic")
}

#[test]
fn csv_model_csv_round_trips() {
    let data = small();
    let dir = tempfile::tempdir().unwrap();
    data.write_csv_dir(dir.path()).unwrap();
    let (back, summary) = Dataset::read_csv_dir(dir.path(), &CsvOptions::default(), &Rules::default()).unwrap();
    assert_eq!(back, data);
    // Every table of the contract, the comparison persons included.
    assert_eq!(summary.files.len(), tables().len());
    // And the files written again are byte-identical.
    let again = tempfile::tempdir().unwrap();
    back.write_csv_dir(again.path()).unwrap();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let name = entry.unwrap().file_name();
        let a = std::fs::read(dir.path().join(&name)).unwrap();
        let b = std::fs::read(again.path().join(&name)).unwrap();
        assert_eq!(a, b, "{name:?}");
    }
}

#[test]
fn json_round_trips() {
    let data = small();
    assert_eq!(Dataset::from_json(&data.to_json().unwrap()).unwrap(), data);
}

#[test]
fn windows_1252_with_swedish_letters_is_read() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cp1252");
    let (data, summary) = Dataset::read_csv_dir(&dir, &CsvOptions::default(), &Rules::default()).unwrap();
    assert!(summary.files.iter().all(|(_, f)| f.encoding == "Windows-1252" && f.delimiter == ';'));
    assert_eq!(data.forbund[0].namn, "Samordningsförbundet Östra Södertörn");
    assert_eq!(data.insatser[0].namn, "Väg ut – arbetsträning på Åby gård");
    assert_eq!(data.insatser[0].budget, Some(Ore(125_000_050)));
    assert!(data.insatser[0].behovsgrupper.contains(Behovsgrupp::Langtidssjukskrivna));
    let d = &data.deltaganden[0];
    assert_eq!((d.kon, d.utfall, d.remittent), (Kon::Kvinna, Some(Utfall::Arbete), Some(Part::Forsakringskassan)));
    assert_eq!(d.forsorjning_fore, ForsorjningSet::of(&[Forsorjning::Sjukpenning, Forsorjning::Forsorjningsstod]));
    assert_eq!(data.deltaganden[1].remittent, Some(Part::Kommun));
    assert_eq!(data.forbund[0].members_on("2020-01-01".parse().unwrap()).len(), 2);
    // Read as UTF-8 on purpose, the first non-UTF-8 byte is an error at its line.
    let err =
        Dataset::read_csv_dir(&dir, &CsvOptions::default().encoding(Encoding::Utf8), &Rules::default()).unwrap_err();
    assert_eq!(err.code(), "invalid_encoding");
}

#[test]
fn utf8_with_bom_and_comma_delimiter_is_read() {
    let text = "\u{feff}insats_id,ar,kon,antal\r\n10,2020,kvinna,4\r\n\"10\",2021,\"man\",2\r\n";
    let rows: Vec<AnonymaDeltagare> =
        CsvReader::from_reader(std::io::Cursor::new(text.as_bytes().to_vec()), "a.csv", &CsvOptions::default())
            .unwrap()
            .collect::<Result<_>>()
            .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].kon, Kon::Man);
}

#[test]
fn column_mapping_renames_headers() {
    let text = "Insats;År;Kön;Antal anonyma;Kommentar\n10;2020;K;4;x\n";
    let opts = CsvOptions::default().table(
        "anonyma_deltagare",
        TableMapping::default().column("insats_id", "Insats").column("antal", "Antal anonyma"),
    );
    let mut reader =
        CsvReader::<AnonymaDeltagare>::from_reader(std::io::Cursor::new(text.as_bytes().to_vec()), "x.csv", &opts)
            .unwrap();
    assert_eq!(reader.format().ignored_columns, vec!["Kommentar".to_owned()]);
    let row = reader.next().unwrap().unwrap();
    assert_eq!((row.insats, row.ar, row.antal), (InsatsId(10), 2020, 4));
}

#[cfg(feature = "arrow")]
#[test]
fn arrow_round_trips_every_table() {
    let data = small();
    let tables: std::collections::BTreeMap<String, Vec<_>> =
        data.to_arrow().unwrap().into_iter().map(|(k, v)| (k.to_owned(), vec![v])).collect();
    let mut back = Dataset::from_arrow(&tables, &Default::default(), ErrorPolicy::FailFast, &Rules::default()).unwrap();
    back.uttagsdatum = data.uttagsdatum;
    assert_eq!(back, data);
}

#[test]
fn a_gigabyte_is_not_needed_to_read_a_row() {
    // Streaming: the reader yields the first row of an endless input.
    let header = b"insats_id;ar;kon;antal\n".to_vec();
    let rows = std::iter::repeat(b"10;2020;K;1\n".to_vec()).flatten();
    let endless = header.into_iter().chain(rows);
    struct Endless<I>(I);
    impl<I: Iterator<Item = u8>> std::io::Read for Endless<I> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let mut n = 0;
            for slot in buf.iter_mut() {
                match self.0.next() {
                    Some(b) => *slot = b,
                    None => break,
                }
                n += 1;
            }
            Ok(n)
        }
    }
    let mut reader =
        CsvReader::<AnonymaDeltagare>::from_reader(Endless(endless), "endless.csv", &CsvOptions::default()).unwrap();
    assert_eq!(reader.nth(100_000).unwrap().unwrap().antal, 1);
}

fn arb_date() -> impl Strategy<Value = Date> {
    (14_610i32..20_000).prop_map(|d| Date::from_days_since_epoch(d).unwrap())
}

fn arb_code<T: Coded>() -> impl Strategy<Value = T> {
    proptest::sample::select(T::ALL)
}

fn arb_set<T: Coded>() -> impl Strategy<Value = CodeSet<T>> {
    proptest::collection::vec(arb_code::<T>(), 0..3).prop_map(|v| CodeSet::of(&v))
}

prop_compose! {
    fn arb_deltagande(insatser: Vec<(InsatsId, Date)>)(
        person in 0u64..1_000_000_000_000,
        which in 0..insatser.len(),
        kon in arb_code::<Kon>(),
        age in 16i32..65,
        offset in 0i32..400,
        length in proptest::option::of(0i32..800),
        fore in arb_set::<Forsorjning>(),
        efter in arb_set::<Forsorjning>(),
        utfall in proptest::option::of(arb_code::<Utfall>()),
        sub in proptest::option::of(any::<bool>()),
        avslut in proptest::option::of(arb_code::<Avslutsanledning>()),
        remittent in proptest::option::of(arb_code::<Part>()),
    ) -> Deltagande {
        let (insats, insats_start) = insatser[which];
        let start = insats_start.add_days(offset);
        let slut = length.map(|l| start.add_days(l));
        Deltagande {
            person: PersonId(person), insats, kon, fodelsear: Some((start.year() - age) as u16), start, slut,
            forsorjning_fore: fore, forsorjning_efter: efter,
            utfall: slut.and(utfall), subventionerad: sub, avslutsanledning: slut.and(avslut), remittent,
        }
    }
}

fn arb_dataset() -> impl Strategy<Value = Dataset> {
    (
        1usize..4,
        arb_date(),
        proptest::collection::vec(
            (arb_code::<Inriktning>(), arb_set::<Behovsgrupp>(), proptest::option::of(-10_000_000i64..10_000_000)),
            1..5,
        ),
    )
        .prop_flat_map(|(n_forbund, start, insats_specs)| {
            let forbund: Vec<Forbund> = (0..n_forbund)
                .map(|i| Forbund {
                    id: ForbundId(i as u32 + 1),
                    namn: format!("Förbund \"{i}\"; med, skiljetecken"),
                    start,
                    slut: None,
                    medlemskap: vec![Medlemskap {
                        kommun: KommunKod::all().nth(i * 7).unwrap(),
                        datum: start,
                        handelse: Medlemshandelse::Intrade,
                    }],
                    foregangare: vec![],
                })
                .collect();
            let insatser: Vec<Insats> = insats_specs
                .iter()
                .enumerate()
                .map(|(i, (inriktning, behov, budget))| Insats {
                    id: InsatsId(100 + i as u32),
                    forbund: ForbundId((i % n_forbund) as u32 + 1),
                    namn: format!("Insats {i}\nmed radbrytning"),
                    inriktning: *inriktning,
                    behovsgrupper: *behov,
                    start,
                    slut: None,
                    budget: budget.map(Ore),
                    utfall: None,
                })
                .collect();
            let keys: Vec<(InsatsId, Date)> = insatser.iter().map(|i| (i.id, i.start)).collect();
            let deltaganden = proptest::collection::vec(arb_deltagande(keys), 0..40);
            let spells = proptest::collection::vec(
                (
                    0u64..1000,
                    arb_code::<Ersattningsslag>(),
                    arb_date(),
                    0i32..300,
                    proptest::sample::select(Omfattning::ALL.to_vec()),
                ),
                0..20,
            );
            (Just(forbund), Just(insatser), deltaganden, spells)
        })
        .prop_map(|(forbund, insatser, mut deltaganden, spells)| {
            deltaganden.sort();
            deltaganden.dedup();
            let mut ersattningsperioder: Vec<Ersattningsperiod> = spells
                .into_iter()
                .map(|(p, slag, fran, len, omfattning)| Ersattningsperiod {
                    person: PersonId(p),
                    slag,
                    fran,
                    till: fran.add_days(len),
                    omfattning,
                })
                .collect();
            ersattningsperioder.sort();
            ersattningsperioder.dedup();
            let anonyma = insatser
                .iter()
                .map(|i| AnonymaDeltagare { insats: i.id, ar: 2020, kon: Kon::Kvinna, antal: 3 })
                .collect();
            let ersattningsdagar = deltaganden
                .iter()
                .take(3)
                .map(|d| Ersattningsdagar {
                    person: d.person,
                    insats: d.insats,
                    start: d.start,
                    grupp: Ersattningsgrupp::SpRp,
                    fore: Dagar::from_quarters(41),
                    efter: None,
                })
                .collect();
            Dataset {
                forbund,
                insatser,
                deltaganden,
                anonyma_deltagare: anonyma,
                insats_ar: vec![],
                ersattningsperioder,
                ersattningsdagar,
                ..Dataset::default()
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_valid_data_sets_round_trip(data in arb_dataset()) {
        data.validate(&Rules::default(), ErrorPolicy::COLLECT).unwrap();
        let dir = tempfile::tempdir().unwrap();
        data.write_csv_dir(dir.path()).unwrap();
        let (back, _) = Dataset::read_csv_dir(dir.path(), &CsvOptions::default(), &Rules::default()).unwrap();
        prop_assert_eq!(&back, &data);
        prop_assert_eq!(Dataset::from_json(&data.to_json().unwrap()).unwrap(), data.clone());
        #[cfg(feature = "arrow")]
        {
            let tables = data.to_arrow().unwrap().into_iter().map(|(k, v)| (k.to_owned(), vec![v])).collect();
            prop_assert_eq!(Dataset::from_arrow(&tables, &Default::default(), ErrorPolicy::FailFast, &Rules::default()).unwrap(), data);
        }
    }

    #[test]
    fn mutated_csv_never_panics(
        mutations in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..12),
        policy in prop_oneof![Just(ErrorPolicy::FailFast), Just(ErrorPolicy::COLLECT)],
    ) {
        let dir = tempfile::tempdir().unwrap();
        small_valid_dir(dir.path());
        let path = dir.path().join("deltaganden.csv");
        let mut bytes = std::fs::read(&path).unwrap();
        for (at, byte, op) in mutations {
            let i = at.index(bytes.len().max(1));
            match op {
                0 if !bytes.is_empty() => bytes[i] = byte,
                1 => bytes.insert(i.min(bytes.len()), byte),
                _ if !bytes.is_empty() => { bytes.remove(i); }
                _ => {}
            }
        }
        std::fs::write(&path, &bytes).unwrap();
        // Either read or rejected with a typed error; a panic fails the test.
        if let Err(e) = Dataset::read_csv_dir(dir.path(), &CsvOptions::default().policy(policy), &Rules::default()) {
            prop_assert!(Error::CODES.contains(&e.code()));
        }
    }
}

#[test]
fn file_names_are_matched_like_headers() {
    let dir = tempfile::tempdir().unwrap();
    small_valid_dir(dir.path());
    let expected = Dataset::read_csv_dir(dir.path(), &CsvOptions::default(), &Rules::default()).unwrap().0;
    assert!(!expected.deltaganden.is_empty());
    std::fs::rename(dir.path().join("deltaganden.csv"), dir.path().join("Deltaganden.csv")).unwrap();
    std::fs::rename(dir.path().join("forbund.csv"), dir.path().join("FÖRBUND.CSV")).unwrap();
    std::fs::write(dir.path().join("deltagare_2020.csv"), "not a table\n").unwrap();
    std::fs::write(dir.path().join(".DS_Store"), "").unwrap();
    let (data, summary) = Dataset::read_csv_dir(dir.path(), &CsvOptions::default(), &Rules::default()).unwrap();
    assert_eq!(data, expected);
    let file = |table: &str| summary.files.iter().find(|(t, _)| t == table).map(|(_, f)| f.file.clone()).unwrap();
    assert!(file("deltaganden").ends_with("Deltaganden.csv"));
    assert!(file("forbund").ends_with("FÖRBUND.CSV"));
    assert_eq!(summary.unmatched_files, vec!["deltagare_2020.csv".to_owned()]);
    assert!(summary.to_string().contains("not read: deltagare_2020.csv"), "{summary}");
    // Every table of the contract is counted, not only the first eight.
    let rows = data.summary_rows();
    assert_eq!(rows.len(), tables().len());
    assert_eq!(rows["kommunstatistik"], data.kommunstatistik.len() as u64);
}

#[test]
fn one_stray_byte_in_a_utf8_file_is_an_error_at_its_line() {
    let text = "insats_id;forbund_id;namn;inriktning;behovsgrupper;startdatum;slutdatum;budget;utfall\n\
                10;1;Väg ut – arbetsträning;individ;;2018-01-01;;;\n\
                11;1;Åby gård;individ;;2018-01-01;;;\n";
    let mut bytes = text.as_bytes().to_vec();
    let at = bytes.windows(2).position(|w| w == "Å".as_bytes()).unwrap();
    bytes.splice(at..at + 2, [0xC5]); // 'Å' in Windows-1252, in an otherwise UTF-8 file
    let mut reader =
        CsvReader::<Insats>::from_reader(std::io::Cursor::new(bytes), "insatser.csv", &CsvOptions::default()).unwrap();
    assert_eq!(reader.format().encoding, "UTF-8");
    assert_eq!(reader.next().unwrap().unwrap().namn, "Väg ut – arbetsträning");
    let err = reader.next().unwrap().unwrap_err();
    assert_eq!(err.code(), "invalid_encoding");
    assert_eq!((err.location().unwrap().line, err.location().unwrap().column.as_deref()), (Some(3), Some("namn")));
    // A file without any valid multi-byte sequence and with bytes ≥ 0x80 is Windows-1252.
    let cp1252 = b"insats_id;ar;kon;antal\n10;2020;k\xF6n;4\n".to_vec();
    let reader =
        CsvReader::<AnonymaDeltagare>::from_reader(std::io::Cursor::new(cp1252), "a.csv", &CsvOptions::default())
            .unwrap();
    assert_eq!(reader.format().encoding, "Windows-1252");
}

fn small_valid_dir(dir: &Path) {
    use std::sync::OnceLock;
    static DATA: OnceLock<Dataset> = OnceLock::new();
    let data = DATA.get_or_init(|| {
        let mut d = generate(&SyntheticConfig { scale: 0.002, seed: 3 }).unwrap();
        d.deltaganden.truncate(60);
        d.ersattningsperioder.clear();
        d
    });
    data.write_csv_dir(dir).unwrap();
}

#[cfg(feature = "arrow")]
#[test]
fn arrow_rule_errors_name_the_source_row() {
    use finsam_core::ingest::{ForbundRad, MedlemskapRad};
    let d = |s: &str| s.parse::<Date>().unwrap();
    let f = |id| {
        ForbundRad(Forbund {
            id: ForbundId(id),
            namn: format!("F{id}"),
            start: d("2015-01-01"),
            slut: None,
            medlemskap: vec![],
            foregangare: vec![],
        })
    };
    let m = |forbund, kommun, datum: &str| MedlemskapRad {
        forbund: ForbundId(forbund),
        medlemskap: Medlemskap {
            kommun: KommunKod::new(kommun).unwrap(),
            datum: d(datum),
            handelse: Medlemshandelse::Intrade,
        },
    };
    // Rows 0 and 2 belong to förbund 2; the validator meets them after förbund 1's row 1.
    let rows = vec![m(2, 180, "2015-01-01"), m(1, 181, "2015-01-01"), m(2, 180, "2016-01-01")];
    let tables = std::collections::BTreeMap::from([
        ("forbund".to_owned(), vec![finsam_core::arrow::to_record_batch(&[f(1), f(2)]).unwrap()]),
        ("medlemskap".to_owned(), vec![finsam_core::arrow::to_record_batch(&rows).unwrap()]),
    ]);
    let err = Dataset::from_arrow(&tables, &Default::default(), ErrorPolicy::FailFast, &Rules::default()).unwrap_err();
    assert_eq!(err.code(), "membership_conflict");
    let at = err.location().unwrap();
    assert_eq!((at.source.as_deref(), at.row, at.line), (Some("table medlemskap"), Some(2), None));
}

#[cfg(feature = "arrow")]
#[test]
fn arrow_timestamps_read_as_their_civil_date_in_their_own_zone() {
    use std::sync::Arc;

    use arrow_array::{
        ArrayRef, Int64Array, RecordBatch, StringArray, TimestampMillisecondArray, TimestampSecondArray,
    };
    let spells = |from: ArrayRef, till: ArrayRef| {
        let batch = RecordBatch::try_from_iter([
            ("deltagare_id", Arc::new(Int64Array::from(vec![1])) as ArrayRef),
            ("ersattningsslag", Arc::new(StringArray::from(vec!["sp"]))),
            ("from_datum", from),
            ("till_datum", till),
            ("omfattning", Arc::new(Int64Array::from(vec![100]))),
        ])
        .unwrap();
        finsam_core::arrow::from_record_batch::<Ersattningsperiod>(&batch, None, ErrorPolicy::FailFast)
    };
    let instant = |d: jiff::civil::Date, zone: &str| d.at(0, 0, 0, 0).in_tz(zone).unwrap().timestamp();
    let (new_year, midsummer) = (jiff::civil::date(2021, 1, 1), jiff::civil::date(2021, 6, 25));
    let stockholm = |d| -> ArrayRef {
        Arc::new(
            TimestampSecondArray::from(vec![instant(d, "Europe/Stockholm").as_second()])
                .with_timezone("Europe/Stockholm"),
        )
    };
    let fixed: ArrayRef = Arc::new(
        TimestampMillisecondArray::from(vec![instant(midsummer, "Etc/GMT-1").as_millisecond()]).with_timezone("+01:00"),
    );
    for till in [stockholm(midsummer), fixed] {
        let rows = spells(stockholm(new_year), till).unwrap();
        assert_eq!((rows[0].fran.to_string(), rows[0].till.to_string()), ("2021-01-01".into(), "2021-06-25".into()));
    }
    // Without a zone the instant is UTC, and not midnight: refused, shown as a date-time.
    let naive: ArrayRef = Arc::new(TimestampSecondArray::from(vec![instant(new_year, "Europe/Stockholm").as_second()]));
    let e = spells(naive, stockholm(midsummer)).unwrap_err();
    let at = e.location().unwrap();
    assert_eq!(
        (e.code(), at.column.as_deref(), at.value.as_deref()),
        ("invalid_date", Some("from_datum"), Some("2020-12-31T23:00:00"))
    );
    let mars: ArrayRef = Arc::new(TimestampSecondArray::from(vec![0]).with_timezone("Mars/Olympus_Mons"));
    let e = spells(mars, stockholm(midsummer)).unwrap_err();
    let at = e.location().unwrap();
    assert_eq!(
        (e.code(), at.column.as_deref(), at.value.as_deref()),
        ("arrow_type", Some("from_datum"), Some("Mars/Olympus_Mons")),
        "{e}"
    );
}

#[cfg(feature = "arrow")]
#[test]
fn arrow_dictionaries_with_nulls_slices_and_string_layouts() {
    use std::sync::Arc;

    use arrow_array::builder::LargeStringDictionaryBuilder;
    use arrow_array::types::{Int8Type, Int16Type};
    use arrow_array::{
        ArrayRef, DictionaryArray, Int8Array, Int16Array, Int64Array, RecordBatch, StringArray, StringViewArray,
    };
    let anonyma = |kon: ArrayRef, policy| {
        let n = kon.len();
        let batch = RecordBatch::try_from_iter([
            ("insats_id", Arc::new(Int64Array::from(vec![10; n])) as ArrayRef),
            ("ar", Arc::new(Int64Array::from(vec![2020; n]))),
            ("kon", kon),
            ("antal", Arc::new(Int64Array::from_iter_values(0..n as i64))),
        ])
        .unwrap();
        finsam_core::arrow::from_record_batch::<AnonymaDeltagare>(&batch, None, policy)
    };
    let dict = |keys: Vec<Option<i8>>, values: Vec<Option<&str>>| -> ArrayRef {
        Arc::new(
            DictionaryArray::<Int8Type>::try_new(Int8Array::from(keys), Arc::new(StringArray::from(values))).unwrap(),
        )
    };
    for kon in [
        dict(vec![Some(0), None, Some(1)], vec![Some("K"), Some("M")]),
        dict(vec![Some(0), Some(1)], vec![Some("K"), None]),
    ] {
        let e = anonyma(kon, ErrorPolicy::FailFast).unwrap_err();
        let at = e.location().unwrap();
        assert_eq!((e.code(), at.row, at.column.as_deref()), ("missing_value", Some(1), Some("kon")), "{e}");
    }
    // Slices of dictionaries of large strings and of string views.
    let mut large = LargeStringDictionaryBuilder::<Int8Type>::new();
    for k in ["X", "X", "K", "M", "M", "X"] {
        large.append_value(k);
    }
    let keys = Int16Array::from(vec![0, 0, 1, 2, 2, 0]);
    let view =
        DictionaryArray::<Int16Type>::try_new(keys, Arc::new(StringViewArray::from(vec!["X", "K", "M"]))).unwrap();
    for kon in [Arc::new(large.finish()) as ArrayRef, Arc::new(view)] {
        let rows = anonyma(kon.slice(2, 3), ErrorPolicy::FailFast).unwrap();
        let kon: Vec<Kon> = rows.iter().map(|r| r.kon).collect();
        assert_eq!(kon, [Kon::Kvinna, Kon::Man, Kon::Man]);
    }
    // The junk outside the slices would have been an error.
    assert_eq!(
        anonyma(dict(vec![Some(0)], vec![Some("X")]), ErrorPolicy::FailFast).unwrap_err().code(),
        "invalid_code"
    );
}

/// An id equal to a marker of the tables' key parts (unused, total) would
/// merge with the total row: the readers refuse ids above `MAX_ID`, in the
/// contract and in flat extracts (CSV and Arrow), naming the value.
#[test]
fn ids_that_would_be_taken_for_a_total_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    small().write_csv_dir(dir.path()).unwrap();
    let path = dir.path().join("forbund.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let (head, rest) = text.split_once('\n').unwrap();
    let first_id = rest.split(';').next().unwrap();
    std::fs::write(&path, format!("{head}\n4294967294{}", &rest[first_id.len()..])).unwrap();
    let err = Dataset::read_csv_dir(dir.path(), &CsvOptions::default(), &Rules::default()).unwrap_err();
    assert_eq!(err.code(), "invalid_number", "{err}");
    assert!(err.to_string().contains("4294967294") && err.to_string().contains("0..=4294967293"), "{err}");

    let flat =
        "deltagare_id;forbund_id;kon;startdatum;slutdatum;status_efter\n1;4294967294;K;2021-01-04;2021-06-30;arbete\n";
    let err =
        finsam_core::engine::Extract::from_csv_reader(flat.as_bytes(), "flat.csv", &Default::default()).unwrap_err();
    assert_eq!(err.code(), "invalid_number", "{err}");
    assert!(err.to_string().contains("0..=4294967293"), "{err}");
    let ok = flat.replace("4294967294", "4294967293");
    assert!(finsam_core::engine::Extract::from_csv_reader(ok.as_bytes(), "flat.csv", &Default::default()).is_ok());
}

/// Parquet read natively: a data set written as Parquet reads back equal,
/// under any codec, in one file or in parts; a file that is no Parquet and
/// two entries for one table are errors that name them.
#[cfg(feature = "parquet")]
mod parquet_tables {
    use super::*;
    use parquet::arrow::ArrowWriter;
    use parquet::basic::{Compression, ZstdLevel};
    use parquet::file::properties::WriterProperties;

    fn write(path: &Path, batch: &arrow_array::RecordBatch, compression: Compression) {
        let props =
            WriterProperties::builder().set_compression(compression).set_max_row_group_row_count(Some(100)).build();
        let mut writer =
            ArrowWriter::try_new(std::fs::File::create(path).unwrap(), batch.schema(), Some(props)).unwrap();
        writer.write(batch).unwrap();
        writer.close().unwrap();
    }

    fn read(dir: &Path) -> Result<Dataset> {
        Dataset::read_parquet_dir(dir, &CsvOptions::default(), &Rules::default()).map(|(d, _)| d)
    }

    #[test]
    fn a_data_set_round_trips_in_every_codec_and_in_parts() {
        let data = small();
        let codecs = [
            Compression::UNCOMPRESSED,
            Compression::SNAPPY,
            Compression::ZSTD(ZstdLevel::default()),
            Compression::LZ4_RAW,
            Compression::GZIP(Default::default()),
        ];
        for codec in codecs {
            let dir = tempfile::tempdir().unwrap();
            for (name, batch) in data.to_arrow().unwrap() {
                if name == "deltaganden" {
                    std::fs::create_dir(dir.path().join(name)).unwrap();
                    let half = batch.num_rows() / 2;
                    write(&dir.path().join(name).join("part-0.parquet"), &batch.slice(0, half), codec);
                    write(
                        &dir.path().join(name).join("part-1.parquet"),
                        &batch.slice(half, batch.num_rows() - half),
                        codec,
                    );
                } else {
                    write(&dir.path().join(format!("{name}.parquet")), &batch, codec);
                }
            }
            let back = read(dir.path()).unwrap();
            assert_eq!(back.deltaganden, data.deltaganden, "{codec:?}");
            assert_eq!(back.ersattningsperioder, data.ersattningsperioder, "{codec:?}");
            assert_eq!(Dataset { uttagsdatum: data.uttagsdatum, ..back }, data, "{codec:?}");
        }
    }

    #[test]
    fn what_is_no_parquet_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("deltaganden.parquet"), b"deltagare_id;kon\n1;K\n").unwrap();
        let e = read(dir.path()).unwrap_err();
        assert_eq!(e.code(), "invalid_parquet");
        assert!(e.to_string().contains("deltaganden.parquet"), "{e}");

        std::fs::remove_file(dir.path().join("deltaganden.parquet")).unwrap();
        std::fs::create_dir(dir.path().join("deltaganden")).unwrap();
        std::fs::write(dir.path().join("deltaganden").join("_SUCCESS"), b"").unwrap();
        assert_eq!(read(dir.path()).unwrap_err().code(), "invalid_parquet", "a directory without parts");

        let batch = small().to_arrow().unwrap()["deltaganden"].clone();
        write(&dir.path().join("deltaganden").join("part-0.parquet"), &batch, Compression::SNAPPY);
        write(&dir.path().join("Deltaganden.parquet"), &batch, Compression::SNAPPY);
        assert_eq!(read(dir.path()).unwrap_err().code(), "duplicate_file");
    }
}

/// A data set read from streams holds one batch at a time: when the next
/// batch is pulled, the one before it is gone.
#[cfg(feature = "arrow")]
#[test]
fn streamed_tables_are_read_one_batch_at_a_time() {
    use std::sync::{Arc, Mutex, Weak};

    use arrow_array::{Array, RecordBatch};
    use finsam_core::arrow::BatchStream;

    type Held = Arc<Mutex<(Option<Weak<dyn Array>>, usize)>>;
    struct Watched {
        batches: std::vec::IntoIter<RecordBatch>,
        held: Held,
    }
    impl Iterator for Watched {
        type Item = std::result::Result<RecordBatch, arrow_schema::ArrowError>;
        fn next(&mut self) -> Option<Self::Item> {
            let mut held = self.held.lock().unwrap();
            if let Some(previous) = held.0.take() {
                assert!(previous.upgrade().is_none(), "the batch before is still held");
            }
            // A copy, so that the batch's arrays are its alone.
            let batch = self.batches.next()?;
            let own = arrow_select::concat::concat_batches(&batch.schema(), [&batch]).unwrap();
            held.0 = Some(Arc::downgrade(own.column(0)));
            held.1 += 1;
            Some(Ok(own))
        }
    }

    let data = small();
    let held: Held = Arc::new(Mutex::new((None, 0)));
    let streams: std::collections::BTreeMap<String, BatchStream> = data
        .to_arrow()
        .unwrap()
        .into_iter()
        .map(|(name, batch)| {
            let parts: Vec<RecordBatch> =
                (0..batch.num_rows()).step_by(250).map(|i| batch.slice(i, 250.min(batch.num_rows() - i))).collect();
            let stream: BatchStream = Box::new(Watched { batches: parts.into_iter(), held: Arc::clone(&held) });
            (name.to_owned(), stream)
        })
        .collect();
    let back = Dataset::from_arrow_streams(streams, &Default::default(), ErrorPolicy::FailFast, &Rules::default())
        .expect("read from streams");
    assert_eq!(Dataset { uttagsdatum: data.uttagsdatum, ..back }, data);
    assert!(held.lock().unwrap().1 > 20, "many batches were pulled");
}
