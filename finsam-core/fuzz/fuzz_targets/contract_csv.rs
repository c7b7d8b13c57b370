//! The data contract's CSV reader on arbitrary bytes, as every table, in
//! every encoding: a row or a typed error, never a panic.
#![no_main]

use finsam_core::ingest::{CsvOptions, CsvReader, DeltagandeRad, Encoding, ForbundRad, MedlemskapRad, Record};
use finsam_core::{
    AnonymaDeltagare, EnkatSvar, Ersattningsdagar, Ersattningsperiod, ErrorPolicy, Insats, InsatsAr,
};
use libfuzzer_sys::fuzz_target;

fn read<T: Record>(bytes: &[u8], opts: &CsvOptions) {
    let Ok(reader) = CsvReader::<T>::from_reader(std::io::Cursor::new(bytes.to_vec()), "fuzz.csv", opts) else {
        return;
    };
    for row in reader {
        if let Err(e) = row {
            // Every error has a code and renders.
            assert!(!e.code().is_empty());
            let _ = e.to_string();
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&control, bytes)) = data.split_first() else { return };
    let encoding = [Encoding::Auto, Encoding::Utf8, Encoding::Windows1252][usize::from(control >> 4) % 3];
    let opts = CsvOptions::default().encoding(encoding).policy(ErrorPolicy::FailFast);
    match control % 9 {
        0 => read::<ForbundRad>(bytes, &opts),
        1 => read::<MedlemskapRad>(bytes, &opts),
        2 => read::<Insats>(bytes, &opts),
        3 => read::<DeltagandeRad>(bytes, &opts),
        4 => read::<AnonymaDeltagare>(bytes, &opts),
        5 => read::<InsatsAr>(bytes, &opts),
        6 => read::<Ersattningsperiod>(bytes, &opts),
        7 => read::<Ersattningsdagar>(bytes, &opts),
        _ => read::<EnkatSvar>(bytes, &opts),
    }
});
