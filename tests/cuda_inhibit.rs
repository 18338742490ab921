//! CUDA `inhibit` against the CPU kernel: bit-identical for every dtype (NaNs compared as NaNs),
//! with ties, ±0, NaN and infinities, several thresholds, rank-4 inputs, views and in place.
//! Skipped with a notice without a GPU.

mod cuda_harness;

use cuda_harness::{assert_same, gpu, gpu_or_skip, random, Rng, GPU};
use spyker::{DType, Tensor};

#[test]
fn inhibit_matches_the_cpu() {
    let Some(_g) = gpu_or_skip("inhibit_matches_the_cpu") else {
        return;
    };
    let mut rng = Rng::new(11);
    for dt in DType::ALL {
        for shape in [
            vec![2, 5, 4, 6, 7],
            vec![3, 6, 3, 3],
            vec![1, 1, 8, 2, 2],
            vec![2, 3, 1, 4, 4],
            vec![2, 15, 20, 9, 9],
        ] {
            let x = random(dt, &shape, -2, 6, true, &mut rng);
            for thr in [0.0, 2.0, 5.5, -100.0] {
                let want = spyker::inhibit(&x, thr).unwrap();
                let got = spyker::inhibit(&gpu(&x), thr).unwrap();
                assert_eq!(got.device(), GPU);
                assert_same(&want, &got, &format!("inhibit {dt} {shape:?} {thr}"));
            }
        }
    }
}

#[test]
fn inhibit_inplace_on_a_view() {
    let Some(_g) = gpu_or_skip("inhibit_inplace_on_a_view") else {
        return;
    };
    let mut rng = Rng::new(12);
    let x = random(DType::F32, &[3, 4, 5, 6, 6], 0, 9, true, &mut rng);
    let d = gpu(&x);
    let v = d.index(1).unwrap();
    spyker::inhibit_inplace(&v, 3.0).unwrap();
    let want = spyker::inhibit(&x.index(1).unwrap(), 3.0).unwrap();
    assert_same(&want, &v, "inhibit_inplace on a view");
    // The other samples are untouched.
    assert_same(
        &x.index(0).unwrap().copy().unwrap(),
        &d.index(0).unwrap(),
        "sample 0",
    );
    assert_same(
        &x.index(2).unwrap().copy().unwrap(),
        &d.index(2).unwrap(),
        "sample 2",
    );
    let _ = Tensor::zeros_on(GPU, DType::F32, &[1]).unwrap();
}
