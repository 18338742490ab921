//! Bit-exact rate (Poisson) coding against the original run single-threaded in a fresh process.
//!
//! The original's interval tables are shuffled with the process-wide C `rand()` stream, so the
//! result of a call depends on which tables the process built before. This binary therefore holds
//! exactly ONE test, which replays the generator's calls in their recorded order from a fresh
//! process (do not add tests here: they would share the stream).
//!
//! The original's minimum-valued features read one row past its table (heap garbage, UB); when
//! that garbage is below `time` they spike and desynchronise the rest of the sample. The generator
//! picks seeds that avoid it and marks each sample `valid`; only valid samples are compared (and
//! all of them are valid in the current data).

mod common;
use common::{assert_exact, Golden};
use spyker::{clear_context, code_as, random_seed, set_max_threads, Code};

#[test]
fn rate_coding_replays_the_original_bit_for_bit() {
    let g = Golden::load("code");
    let cases = g.cases_with("rate_");
    assert_eq!(cases.len(), 12);
    // More than one thread: the tables and the output must not depend on it.
    set_max_threads(2);
    let (mut compared, mut total) = (0, 0);
    for case in cases {
        let input = g.get(&format!("{case}__input"));
        let want = g.get(&format!("{case}__output"));
        let time = g.scalar(&format!("{case}__time")) as i64;
        let sort = g.scalar(&format!("{case}__sort")) != 0.0;
        if g.scalar(&format!("{case}__clear")) != 0.0 {
            clear_context();
        }
        random_seed(g.scalar(&format!("{case}__seed")) as i64);
        let got = code_as(&input, time, sort, want.dtype(), Code::Rate).unwrap();
        let valid = g.get(&format!("{case}__valid")).to_vec::<u8>().unwrap();
        if valid.iter().all(|&v| v == 1) {
            assert_exact(&got, &want, &case);
        } else {
            for (b, _) in valid.iter().enumerate().filter(|(_, &v)| v == 1) {
                let (gb, wb) = (got.index(b as i64).unwrap(), want.index(b as i64).unwrap());
                assert_exact(&gb, &wb, &format!("{case} sample {b}"));
            }
        }
        compared += valid.iter().filter(|&&v| v == 1).count();
        total += valid.len();
    }
    assert!(
        compared * 10 >= total * 9,
        "only {compared} of {total} samples compared"
    );
}
