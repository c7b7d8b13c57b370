//! Arrow record batches built from arbitrary columns (every type the
//! readers might meet: integers of each width, floats, decimals, booleans,
//! dates, timestamps, text as Utf8, LargeUtf8, Utf8View and dictionaries,
//! binary, null and nested lists, with nulls and sliced offsets), named after
//! the contract's columns or not, passed to the data-set reader, the
//! flat-extract reader and the pseudonymiser: a result or a typed error, never
//! a panic.
#![no_main]

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::types::{Int8Type, Int32Type};
use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Date32Array, Decimal128Array, DictionaryArray, Float64Array, Int8Array,
    Int16Array, Int32Array, Int64Array, LargeStringArray, ListArray, NullArray, RecordBatch, StringArray,
    StringViewArray, TimestampMillisecondArray, UInt8Array, UInt32Array, UInt64Array,
};
use arrow_buffer::OffsetBuffer;
use arrow_schema::{Field, Schema};
use finsam_core::ingest::tables;
use finsam_core::pseudonym::{OnInvalid, PseudonymKey, PseudonymOptions, pseudonymise_batches};
use finsam_core::{Dataset, ErrorPolicy, Rules};
use libfuzzer_sys::fuzz_target;

/// Reads the fuzzer's bytes as decisions; zeros once they run out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    fn int(&mut self) -> i64 {
        match self.byte() % 4 {
            0 => i64::from(self.byte() as i8),
            1 => 1990 + i64::from(self.byte() % 50),
            2 => i64::from_le_bytes(std::array::from_fn(|_| self.byte())),
            _ => 198_001_011_231 + i64::from(self.byte()),
        }
    }
    fn text(&mut self) -> String {
        const WORDS: [&str; 16] = [
            "", "K", "M", "kvinna", "2020-01-01", "2019-13-01", "ja", "0180", "sjukpenning|lon", "arbete", "-1",
            "1e400", "99999999999999999999", "1234,50", "800101-1231", "ö",
        ];
        let b = self.byte();
        if b < 200 {
            WORDS[usize::from(b) % WORDS.len()].to_owned()
        } else {
            let n = usize::from(self.byte() % 12);
            (0..n).map(|_| char::from(self.byte())).collect()
        }
    }
}

fn column(b: &mut Bytes<'_>, rows: usize) -> ArrayRef {
    let kind = b.byte() % 18;
    let mut valid = || b.byte() % 5 != 0;
    let mut nulls = Vec::with_capacity(rows);
    for _ in 0..rows {
        nulls.push(valid());
    }
    let pick = |i: usize| nulls[i];
    match kind {
        0 => Arc::new(Int64Array::from_iter((0..rows).map(|i| pick(i).then(|| b.int())))),
        1 => Arc::new(Int32Array::from_iter((0..rows).map(|i| pick(i).then(|| b.int() as i32)))),
        2 => Arc::new(Int16Array::from_iter((0..rows).map(|i| pick(i).then(|| b.int() as i16)))),
        3 => Arc::new(Int8Array::from_iter((0..rows).map(|i| pick(i).then(|| b.int() as i8)))),
        4 => Arc::new(UInt64Array::from_iter((0..rows).map(|i| pick(i).then(|| b.int() as u64)))),
        5 => Arc::new(UInt32Array::from_iter((0..rows).map(|i| pick(i).then(|| b.int() as u32)))),
        6 => Arc::new(UInt8Array::from_iter((0..rows).map(|i| pick(i).then(|| b.byte())))),
        7 => Arc::new(Float64Array::from_iter(
            (0..rows).map(|i| pick(i).then(|| [0.5, -1.0, f64::NAN, f64::INFINITY, 2020.0, 1e300][usize::from(b.byte()) % 6])),
        )),
        8 => Arc::new(BooleanArray::from_iter((0..rows).map(|i| pick(i).then(|| b.byte() % 2 == 0)))),
        9 => Arc::new(Date32Array::from_iter((0..rows).map(|i| pick(i).then(|| b.int() as i32)))),
        10 => Arc::new(TimestampMillisecondArray::from_iter((0..rows).map(|i| pick(i).then(|| b.int())))),
        11 => Arc::new(StringArray::from_iter((0..rows).map(|i| pick(i).then(|| b.text())))),
        12 => Arc::new(LargeStringArray::from_iter((0..rows).map(|i| pick(i).then(|| b.text())))),
        13 => Arc::new(StringViewArray::from_iter((0..rows).map(|i| pick(i).then(|| b.text())))),
        14 => {
            let values: Vec<String> = (0..1 + b.byte() % 4).map(|_| b.text()).collect();
            let n = values.len() as i32;
            let keys = Int32Array::from_iter((0..rows).map(|i| pick(i).then(|| i32::from(b.byte()) % n)));
            Arc::new(DictionaryArray::<Int32Type>::new(keys, Arc::new(StringArray::from(values))))
        }
        15 => {
            // Possibly an empty dictionary (then every key is null).
            let values: Vec<Option<String>> =
                (0..b.byte() % 4).map(|_| (b.byte() % 3 != 0).then(|| b.text())).collect();
            let n = values.len() as i8;
            let keys =
                Int8Array::from_iter((0..rows).map(|i| (pick(i) && n > 0).then(|| (b.byte() as i8).rem_euclid(n))));
            Arc::new(DictionaryArray::<Int8Type>::new(keys, Arc::new(StringArray::from(values))))
        }
        16 => match b.byte() % 3 {
            0 => Arc::new(NullArray::new(rows)),
            1 => Arc::new(BinaryArray::from_iter((0..rows).map(|i| pick(i).then(|| b.text().into_bytes())))),
            _ => Arc::new(
                Decimal128Array::from_iter((0..rows).map(|i| pick(i).then(|| i128::from(b.int()))))
                    .with_precision_and_scale(20, 2)
                    .unwrap_or_else(|_| Decimal128Array::from(vec![0i128; rows])),
            ),
        },
        _ => {
            let values = Int64Array::from_iter((0..rows * 2).map(|_| Some(b.int())));
            let offsets = OffsetBuffer::from_lengths((0..rows).map(|_| 2));
            let field = Arc::new(Field::new_list_field(arrow_schema::DataType::Int64, true));
            let nulls = arrow_buffer::NullBuffer::from(nulls.clone());
            Arc::new(ListArray::new(field, offsets, Arc::new(values), Some(nulls)))
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let specs = tables();
    let spec = specs[usize::from(b.byte()) % specs.len()];
    let rows = usize::from(b.byte() % 16);
    let ncols = usize::from(b.byte() % (spec.columns.len() as u8 + 2));
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for i in 0..ncols {
        let name = match b.byte() % 8 {
            0 => format!("extra{i}"),
            1 => "pnr".to_owned(),
            _ => spec.columns[i % spec.columns.len()].name.to_owned(),
        };
        // A column built longer than the batch and sliced: offsets must be honoured.
        let skip = usize::from(b.byte() % 3);
        let array = column(&mut b, rows + skip).slice(skip, rows);
        fields.push(Field::new(name, array.data_type().clone(), true));
        arrays.push(array);
    }
    let Ok(batch) = RecordBatch::try_new_with_options(
        Arc::new(Schema::new(fields)),
        arrays,
        &arrow_array::RecordBatchOptions::new().with_row_count(Some(rows)),
    ) else {
        return;
    };
    let tables = BTreeMap::from([(spec.name.to_owned(), vec![batch.clone()])]);
    let policy = if b.byte() % 2 == 0 { ErrorPolicy::FailFast } else { ErrorPolicy::COLLECT };
    let _ = Dataset::from_arrow(&tables, &BTreeMap::new(), policy, &Rules::default());
    if let Ok(extract) = finsam_core::engine::Extract::from_record_batches(std::slice::from_ref(&batch), 1) {
        let year = extract.latest().year();
        let _ = finsam_core::report::annual_report(&extract, year, &finsam_core::indicators::Config::default());
    }
    let key = PseudonymKey::new(b"fuzzing-key-0123456789".to_vec()).unwrap();
    let opts = PseudonymOptions::new("pnr").reference_date(finsam_core::Date::from_ymd(2025, 6, 1).unwrap());
    if let Ok(out) = pseudonymise_batches(&[batch], &key, &opts, OnInvalid::Reject) {
        assert_eq!(out.batches[0].num_rows() + out.rejected.len(), rows);
    }
});
