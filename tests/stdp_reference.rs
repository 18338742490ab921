//! Dense STDP / R-STDP against the original (tests/reference/stdp.npz,
//! scripts/reference/gen_stdp.py): updated kernels must be bit-identical given the same input
//! spikes, output spikes and winners.

mod common;
use common::{assert_exact, golden_conv, golden_fc, winners_from, Golden};
use spyker::{Conv, DType, ErrorKind, FcPostTime, STDPConfig, Tensor, Winner, Winners, FC};

#[test]
fn conv_stdp_is_bit_exact() {
    let g = Golden::load("stdp");
    let cases = g.cases_with("conv_");
    assert!(cases.len() >= 30);
    for c in cases {
        let mut conv = golden_conv(&g, &c);
        let x = g.get(&format!("{c}__input"));
        let y = g.get(&format!("{c}__output"));
        let b = if x.dims() == 5 { x.shape()[0] } else { 1 };
        let w = winners_from(&g.get(&format!("{c}__winners")), b);
        conv.stdp(&x, &w, &y).unwrap();
        assert_exact(&conv.kernel, &g.get(&format!("{c}__kernel")), &c);
        // The free function is the same operation.
        let mut again = golden_conv(&g, &c);
        spyker::stdp(&mut again, &x, &w, &y).unwrap();
        assert_exact(&again.kernel, &conv.kernel, &format!("{c} (free stdp)"));
    }
}

fn run_fc(g: &Golden, prefix: &str, post: FcPostTime) {
    let cases = g.cases_with(prefix);
    assert!(cases.len() >= 20);
    for c in cases {
        let mut fc = golden_fc(g, &c);
        let x = g.get(&format!("{c}__input"));
        let y = g.get(&format!("{c}__output"));
        let w = winners_from(&g.get(&format!("{c}__winners")), x.shape()[0]);
        fc.stdp_with(&x, &w, &y, post).unwrap();
        assert_exact(&fc.kernel, &g.get(&format!("{c}__kernel")), &c);
    }
}

#[test]
fn fc_stdp_compat_matches_original_cpu_build() {
    run_fc(&Golden::load("stdp"), "fc_cpu_", FcPostTime::Zero);
}

#[test]
fn fc_stdp_uses_the_intended_post_time() {
    let g = Golden::load("stdp");
    run_fc(&g, "fc_int_", FcPostTime::FirstSpike);
    // FC::stdp defaults to the intended rule.
    let c = "fc_int_000";
    let mut fc = golden_fc(&g, c);
    let x = g.get(&format!("{c}__input"));
    let w = winners_from(&g.get(&format!("{c}__winners")), x.shape()[0]);
    fc.stdp(&x, &w, &g.get(&format!("{c}__output"))).unwrap();
    assert_exact(&fc.kernel, &g.get(&format!("{c}__kernel")), c);
}

#[test]
fn fc_post_time_choice_matters() {
    // Input spikes at t=1, the winner at t=2: causal (LTP) with the intended rule, LTD in the
    // original CPU build.
    let x = Tensor::from_vec(vec![0u8, 1, 1], &[1, 3, 1]).unwrap();
    let y = Tensor::from_vec(vec![0u8, 0, 1], &[1, 3, 1]).unwrap();
    let w = vec![vec![Winner::fc(0, 0)]];
    let mut fc = FC::with_defaults(1, 1).unwrap();
    fc.kernel = Tensor::from_vec(vec![0.5f32], &[1, 1]).unwrap();
    fc.stdpconfig = vec![STDPConfig::new(0.004, -0.003)];
    let mut compat = fc.clone();
    compat.kernel = fc.kernel.copy().unwrap();
    fc.stdp(&x, &w, &y).unwrap();
    compat.stdp_with(&x, &w, &y, FcPostTime::Zero).unwrap();
    assert_eq!(fc.kernel.to_vec::<f32>().unwrap(), vec![0.501]);
    assert_eq!(compat.kernel.to_vec::<f32>().unwrap(), vec![0.49925]);
}

fn small_conv() -> (Conv, Tensor, Tensor) {
    let mut conv = Conv::with_defaults(2, 3, 3).unwrap();
    conv.stdpconfig = vec![STDPConfig::new(0.004, -0.003), STDPConfig::new(0.1, -0.1)];
    let x = Tensor::full(DType::U8, &[2, 4, 2, 5, 5], 1).unwrap();
    let y = Tensor::full(DType::U8, &[2, 4, 3, 3, 3], 1).unwrap();
    (conv, x, y)
}

#[test]
fn invalid_winners_and_configs_are_errors_before_any_update() {
    let (mut conv, x, y) = small_conv();
    let before = conv.kernel.to_vec::<f32>().unwrap();
    let ok = Winner::new(0, 0, 1, 1, 1);
    let kind = |conv: &mut Conv, w: Winners| conv.stdp(&x, &w, &y).unwrap_err().kind();
    // c out of range, after a valid winner: nothing is applied.
    assert_eq!(
        kind(
            &mut conv,
            vec![vec![ok], vec![ok, Winner::new(2, 0, 0, 0, 0)]]
        ),
        ErrorKind::Argument
    );
    // Winners list shorter than the batch.
    assert_eq!(kind(&mut conv, vec![vec![ok]]), ErrorKind::Argument);
    // Coordinates out of range (channel, row, column, negative).
    for bad in [
        Winner::new(0, 0, 3, 0, 0),
        Winner::new(0, 0, 0, 3, 0),
        Winner::new(1, 0, 0, 0, 3),
        Winner::new(0, 0, -1, 0, 0),
    ] {
        assert_eq!(
            kind(&mut conv, vec![vec![ok], vec![bad]]),
            ErrorKind::Argument
        );
    }
    assert_eq!(conv.kernel.to_vec::<f32>().unwrap(), before);
    // Skipped winners (c < 0) are not looked at, like the original.
    conv.stdp(&x, &[vec![Winner::new(-1, 0, 99, 99, 99)], vec![]], &y)
        .unwrap();
    assert_eq!(conv.kernel.to_vec::<f32>().unwrap(), before);
    // Empty configs.
    let mut empty = conv.clone();
    empty.stdpconfig.clear();
    assert_eq!(
        empty.stdp(&x, &[vec![], vec![]], &y).unwrap_err().kind(),
        ErrorKind::Argument
    );
    // Integer kernels.
    let mut int = conv.clone();
    int.kernel = Tensor::zeros(DType::I32, &[3, 2, 3, 3]).unwrap();
    assert_eq!(
        int.stdp(&x, &[vec![ok], vec![]], &y).unwrap_err().kind(),
        ErrorKind::DType
    );
    // Extra winner lists beyond the batch are ignored.
    conv.stdp(&x, &[vec![], vec![], vec![Winner::new(5, 0, 9, 9, 9)]], &y)
        .unwrap();
    assert_eq!(conv.kernel.to_vec::<f32>().unwrap(), before);
}

#[test]
fn shape_and_dtype_mismatches_are_errors() {
    let (mut conv, x, y) = small_conv();
    let w = vec![vec![Winner::new(0, 0, 0, 0, 0)], vec![]];
    let yf = y.to_dtype(DType::F32).unwrap();
    assert_eq!(conv.stdp(&x, &w, &yf).unwrap_err().kind(), ErrorKind::DType);
    let y_bad = Tensor::full(DType::U8, &[2, 4, 3, 2, 3], 1).unwrap();
    assert_eq!(
        conv.stdp(&x, &w, &y_bad).unwrap_err().kind(),
        ErrorKind::Shape
    );
    let y_t = Tensor::full(DType::U8, &[2, 3, 3, 3, 3], 1).unwrap();
    assert_eq!(
        conv.stdp(&x, &w, &y_t).unwrap_err().kind(),
        ErrorKind::Shape
    );
    let x_c = Tensor::full(DType::U8, &[2, 4, 3, 5, 5], 1).unwrap();
    assert_eq!(
        conv.stdp(&x_c, &w, &y).unwrap_err().kind(),
        ErrorKind::Shape
    );
    let x3 = Tensor::full(DType::U8, &[4, 2, 5], 1).unwrap();
    assert_eq!(conv.stdp(&x3, &w, &y).unwrap_err().kind(), ErrorKind::Shape);

    let mut fc = FC::with_defaults(4, 3).unwrap();
    fc.stdpconfig = vec![STDPConfig::new(0.004, -0.003)];
    let fx = Tensor::full(DType::U8, &[2, 5, 4], 1).unwrap();
    let fy = Tensor::full(DType::U8, &[2, 5, 3], 1).unwrap();
    let fw = vec![vec![Winner::fc(0, 2)], vec![]];
    fc.stdp(&fx, &fw, &fy).unwrap();
    let bad_y = Tensor::full(DType::U8, &[2, 5, 4], 1).unwrap();
    assert_eq!(
        fc.stdp(&fx, &fw, &bad_y).unwrap_err().kind(),
        ErrorKind::Shape
    );
    let bad_x = Tensor::full(DType::U8, &[2, 5, 5], 1).unwrap();
    assert_eq!(
        fc.stdp(&bad_x, &fw, &fy).unwrap_err().kind(),
        ErrorKind::Shape
    );
    assert_eq!(
        fc.stdp(&fx, &[vec![Winner::fc(0, 3)], vec![]], &fy)
            .unwrap_err()
            .kind(),
        ErrorKind::Argument
    );
    assert_eq!(
        fc.stdp(&fx, &[vec![Winner::fc(1, 0)], vec![]], &fy)
            .unwrap_err()
            .kind(),
        ErrorKind::Argument
    );
    assert_eq!(
        fc.stdp(&fx, &[vec![]], &fy).unwrap_err().kind(),
        ErrorKind::Argument
    );
    fc.stdpconfig.clear();
    assert_eq!(
        fc.stdp(&fx, &fw, &fy).unwrap_err().kind(),
        ErrorKind::Argument
    );
}

#[test]
fn stdp_is_independent_of_thread_count() {
    let g = Golden::load("stdp");
    let c = "conv_005";
    let x = g.get(&format!("{c}__input"));
    let y = g.get(&format!("{c}__output"));
    let b = x.shape()[0];
    let w = winners_from(&g.get(&format!("{c}__winners")), b);
    let mut results = Vec::new();
    for n in [1, 3] {
        spyker::set_max_threads(n);
        let mut conv = golden_conv(&g, c);
        conv.stdp(&x, &w, &y).unwrap();
        results.push(conv.kernel.to_bytes().unwrap());
    }
    spyker::set_max_threads(-1);
    assert_eq!(results[0], results[1]);
}

/// Rezghi layer-1 training (LoG → rank code T=15 → Conv 6→100 5×5 pad 2 → threshold 16 →
/// inhibit → convwta(3, 5) → STDP) on 64 digits in 4 batches of 16: the original ran the forward
/// pass and picked the winners; here the 4 STDP steps are replayed from its input spikes and
/// winners, from the same initial kernel. The final kernel must be bit-identical.
#[test]
fn rezghi_layer1_stdp_replay_is_bit_exact() {
    let g = Golden::load("stdp");
    let times = g.get("rezghi__in_times").to_vec::<u8>().unwrap(); // [4,16,6,28,28]
    let rows = g.get("rezghi__winners").to_vec::<i64>().unwrap();
    let (nb, b, c, h, w, t, o) = (4usize, 16usize, 6usize, 28usize, 28usize, 15usize, 100usize);
    let mut conv = Conv::new(6, 100, 5, 1, 2, 0.5, 0.02, spyker::Device::Cpu, DType::F32).unwrap();
    conv.kernel = g.get("rezghi__kernel0").copy().unwrap();
    conv.stdpconfig = vec![STDPConfig::new(0.0004, -0.0003)];
    let plane = c * h * w;
    for batch in 0..nb {
        // Cumulative spikes from first-spike times (15 = never).
        let mut x = vec![0u8; b * t * plane];
        for s in 0..b {
            let tm = &times[(batch * b + s) * plane..(batch * b + s + 1) * plane];
            for step in 0..t {
                let dst = &mut x[(s * t + step) * plane..(s * t + step + 1) * plane];
                for (d, &ft) in dst.iter_mut().zip(tm) {
                    *d = (ft as usize <= step) as u8;
                }
            }
        }
        // Output spikes only where STDP reads them: at the winners, from their post time on.
        let mut y = vec![0u8; b * t * o * h * w];
        let mut winners: Winners = vec![Vec::new(); b];
        for r in rows.chunks(8).skip(1).filter(|r| r[0] == batch as i64) {
            let (s, z, yy, xx, post) = (r[1] as usize, r[4], r[5], r[6], r[7] as usize);
            winners[s].push(Winner::new(r[2], r[3], z, yy, xx));
            for step in post..t {
                y[((s * t + step) * o + z as usize) * h * w + yy as usize * w + xx as usize] = 1;
            }
        }
        let x = Tensor::from_vec(x, &[b, t, c, h, w]).unwrap();
        let y = Tensor::from_vec(y, &[b, t, o, h, w]).unwrap();
        conv.stdp(&x, &winners, &y).unwrap();
    }
    let want = g.get("rezghi__kernel");
    let (gv, wv) = (
        conv.kernel.to_vec::<f32>().unwrap(),
        want.to_vec::<f32>().unwrap(),
    );
    let max_diff = gv
        .iter()
        .zip(&wv)
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max);
    assert_eq!(max_diff, 0.0, "max |kernel - original| = {max_diff}");
    assert_exact(&conv.kernel, &want, "rezghi replay");
}
