//! Rust-side tests of the C ABI: behaviours that are awkward to reach from C (struct growth,
//! release callbacks across threads, out-pointers left alone on failure).

use super::*;
use std::ffi::{c_void, CStr};
use std::sync::atomic::{AtomicUsize, Ordering};

fn message() -> String {
    unsafe { CStr::from_ptr(spk_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

/// A caller compiled against a future header whose struct has one more field.
#[repr(C)]
#[derive(Clone, Copy)]
struct FutureStdp {
    base: spk_stdp_config,
    extra: f64,
}

#[test]
fn sized_structs_read_and_write_only_their_known_prefix() {
    unsafe {
        let mut f = FutureStdp {
            base: spk_stdp_config::default(),
            extra: 0.0,
        };
        let size = std::mem::size_of::<FutureStdp>();
        assert_eq!(spk_stdp_config_init(&mut f.base, size), spk_status::Ok);
        f.extra = 123.0;
        f.base.positive = 0.25;
        f.base.negative = -0.5;
        let mut fc = std::ptr::null_mut();
        let mut o = spk_fc_options::default();
        assert_eq!(
            spk_fc_options_init(&mut o, std::mem::size_of::<spk_fc_options>()),
            spk_status::Ok
        );
        o.insize = 3;
        o.outsize = 2;
        assert_eq!(spk_fc_create(&o, &mut fc), spk_status::Ok);
        assert_eq!(spk_fc_stdp_add(fc, &f.base), spk_status::Ok);
        let mut back = FutureStdp {
            base: spk_stdp_config::default(),
            extra: 7.0,
        };
        back.base.size = size as u32;
        assert_eq!(spk_fc_stdp_get(fc, 0, &mut back.base), spk_status::Ok);
        assert_eq!(back.base.positive, 0.25);
        assert_eq!(back.base.negative, -0.5);
        assert!(back.base.stabilize);
        assert_eq!(back.base.size as usize, size, "size stays the caller's");
        assert_eq!(
            back.extra, 7.0,
            "bytes beyond the known struct are not touched"
        );
        // A struct smaller than the first version is rejected.
        back.base.size = 8;
        assert_eq!(spk_fc_stdp_get(fc, 0, &mut back.base), spk_status::Argument);
        assert!(message().contains("spk_stdp_config.size"), "{}", message());
        spk_fc_free(fc);
    }
}

static RELEASED: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn count_release(user: *mut c_void) {
    RELEASED.fetch_add(user as usize, Ordering::SeqCst);
}

#[test]
fn wrapped_memory_is_released_once_after_the_last_view_even_on_another_thread() {
    unsafe {
        let mut data = vec![0u32; 6];
        let shape = [2usize, 3];
        let mut t = std::ptr::null_mut();
        let status = spk_tensor_wrap(
            data.as_mut_ptr() as *mut c_void,
            24,
            crate::DType::U32 as i32,
            shape.as_ptr(),
            2,
            Some(count_release),
            5 as *mut c_void,
            &mut t,
        );
        assert_eq!(status, spk_status::Ok);
        let mut row = std::ptr::null_mut();
        assert_eq!(spk_tensor_index(t, 1, &mut row), spk_status::Ok);
        assert_eq!(spk_tensor_fill_int(row, 9), spk_status::Ok);
        spk_tensor_free(t);
        assert_eq!(RELEASED.load(Ordering::SeqCst), 0);
        let row = row as usize;
        std::thread::spawn(move || spk_tensor_free(row as *mut spk_tensor))
            .join()
            .unwrap();
        assert_eq!(RELEASED.load(Ordering::SeqCst), 5);
        assert_eq!(data, [0, 0, 0, 9, 9, 9]);
    }
}

#[test]
fn failures_leave_out_pointers_alone_and_messages_are_per_thread() {
    unsafe {
        let shape = [2usize, 2];
        let sentinel = 0x10 as *mut spk_tensor;
        let mut out = sentinel;
        assert_eq!(
            spk_tensor_create(42, shape.as_ptr(), 2, &mut out),
            spk_status::Dtype
        );
        assert_eq!(out, sentinel);
        assert!(message().contains("got 42"), "{}", message());
        let other = std::thread::spawn(message).join().unwrap();
        assert_eq!(other, "", "another thread sees its own (empty) message");
        let mut n = 0usize;
        assert_eq!(spk_max_threads(&mut n), spk_status::Ok);
        assert_eq!(message(), "");
    }
}

#[test]
fn tensor_round_trip_and_conversion() {
    unsafe {
        let shape = [3usize];
        let src = [1.5f64, -2.5, 300.0];
        let mut t = std::ptr::null_mut();
        assert_eq!(
            spk_tensor_from_data(
                crate::DType::F64 as i32,
                shape.as_ptr(),
                1,
                src.as_ptr() as *const c_void,
                24,
                &mut t
            ),
            spk_status::Ok
        );
        let mut u = std::ptr::null_mut();
        assert_eq!(
            spk_tensor_to_dtype(t, crate::DType::U8 as i32, &mut u),
            spk_status::Ok
        );
        let mut got = [0u8; 3];
        assert_eq!(
            spk_tensor_read(u, got.as_mut_ptr() as *mut c_void, 3),
            spk_status::Ok
        );
        let expect = crate::Tensor::from_slice(&src, &[3])
            .unwrap()
            .to_vec_as::<u8>()
            .unwrap();
        assert_eq!(got.to_vec(), expect, "same conversion rule as the Rust API");
        let (mut kind, mut index) = (-1i32, -1i64);
        assert_eq!(spk_tensor_device(u, &mut kind, &mut index), spk_status::Ok);
        assert_eq!((kind, index), (0, 0));
        spk_tensor_free(u);
        spk_tensor_free(t);
    }
}

/// Spike times `u8 [B, C, H, W]`, roughly a third never firing (deterministic, no RNG crate).
fn some_times(shape: [usize; 4], time: usize) -> crate::Tensor {
    let n: usize = shape.iter().product();
    let v: Vec<u8> = (0..n)
        .map(|i| ((i * 7919 + 13) % (time + time / 2)).min(time) as u8)
        .collect();
    crate::Tensor::from_vec(v, &shape).unwrap()
}

fn layer(seed: i64) -> crate::Conv {
    crate::random_seed(seed);
    let k = crate::Expand2::new(3, 3);
    let pad = crate::Expand4::new(1, 1, 1, 1);
    let dev = crate::Device::Cpu;
    let mut c = crate::Conv::new(2, 4, k, 1, pad, 0.5, 0.1, dev, crate::DType::F32).unwrap();
    c.stdpconfig = vec![crate::STDPConfig::new(0.004, -0.003)];
    c
}

unsafe fn take(t: *mut spk_tensor) -> crate::Tensor {
    assert!(!t.is_null());
    unsafe { Box::from_raw(t) }.inner
}

#[test]
fn spike_time_entry_points_equal_the_rust_api() {
    let time = 15;
    let times = some_times([3, 2, 8, 8], time);
    let x = spk_tensor {
        inner: times.clone(),
    };
    let c = spk_conv { inner: layer(5) };
    let kernel = spk_tensor {
        inner: c.inner.kernel.clone(),
    };
    let pad = [1usize; 4];
    unsafe {
        let mut out = std::ptr::null_mut();
        let st = spk_conv_fire_times(
            &x,
            time,
            &kernel,
            std::ptr::null(),
            pad.as_ptr(),
            1.5,
            &mut out,
        );
        assert_eq!(st, spk_status::Ok, "{}", message());
        let fired = take(out);
        let want = crate::conv_fire_times(&times, time, &c.inner.kernel, 1, 1, 1.5).unwrap();
        assert_eq!(fired.to_vec::<u8>().unwrap(), want.to_vec::<u8>().unwrap());
        assert!(want
            .to_vec::<u8>()
            .unwrap()
            .iter()
            .any(|v| (*v as usize) < time));

        let mut out = std::ptr::null_mut();
        let st = spk_conv_forward_fire_times(&c, &x, time, 1.5, &mut out);
        assert_eq!(st, spk_status::Ok, "{}", message());
        assert_eq!(
            take(out).to_vec::<u8>().unwrap(),
            want.to_vec::<u8>().unwrap()
        );

        // Spike trains and back: rank_times(times_to_spikes(t)) == t.
        let mut out = std::ptr::null_mut();
        assert_eq!(spk_times_to_spikes(&x, time, &mut out), spk_status::Ok);
        let spikes = spk_tensor { inner: take(out) };
        assert_eq!(spikes.inner.shape(), &[3, time, 2, 8, 8]);
        let (mut rank, mut back) = (false, std::ptr::null_mut());
        assert_eq!(
            spk_rank_times(&spikes, &mut rank, &mut back),
            spk_status::Ok
        );
        assert!(rank);
        assert_eq!(
            take(back).to_vec::<u8>().unwrap(),
            times.to_vec::<u8>().unwrap()
        );

        // The dense-input forms agree with the time forms.
        let mut out = std::ptr::null_mut();
        assert_eq!(
            spk_conv_forward_fire(&c, &spikes, 1.5, &mut out),
            spk_status::Ok
        );
        let dense = take(out);
        let want_spikes = crate::times_to_spikes(&want, time).unwrap();
        assert_eq!(
            dense.to_vec::<u8>().unwrap(),
            want_spikes.to_vec::<u8>().unwrap()
        );
        let mut out = std::ptr::null_mut();
        let st = spk_conv_fire_rank(
            &spikes,
            &kernel,
            std::ptr::null(),
            pad.as_ptr(),
            1.5,
            &mut out,
        );
        assert_eq!(st, spk_status::Ok, "{}", message());
        assert_eq!(
            take(out).to_vec::<u8>().unwrap(),
            want_spikes.to_vec::<u8>().unwrap()
        );

        // Only the last step convolved: the same tensor as infinite(conv(x)).
        let want = crate::infinite(
            &crate::conv(&spikes.inner, &kernel.inner, 1, 1).unwrap(),
            -1.0,
        )
        .unwrap();
        let mut out = std::ptr::null_mut();
        let st = spk_conv_infinite(
            &spikes,
            &kernel,
            std::ptr::null(),
            pad.as_ptr(),
            -1.0,
            &mut out,
        );
        assert_eq!(st, spk_status::Ok, "{}", message());
        assert_eq!(take(out).to_bytes().unwrap(), want.to_bytes().unwrap());
        let mut out = std::ptr::null_mut();
        let st = spk_conv_forward_infinite(&c, &spikes, -1.0, &mut out);
        assert_eq!(st, spk_status::Ok, "{}", message());
        assert_eq!(take(out).to_bytes().unwrap(), want.to_bytes().unwrap());
        let mut out = std::ptr::null_mut();
        let st = spk_conv_infinite(
            &spikes,
            std::ptr::null(),
            std::ptr::null(),
            std::ptr::null(),
            0.0,
            &mut out,
        );
        assert_eq!(st, spk_status::NullPointer);
        assert!(out.is_null());

        // Pooling on times (stride NULL = the kernel).
        let k = [2usize, 2];
        let mut out = std::ptr::null_mut();
        let st = spk_pool_times(
            &x,
            time,
            k.as_ptr(),
            std::ptr::null(),
            std::ptr::null(),
            &mut out,
        );
        assert_eq!(st, spk_status::Ok, "{}", message());
        let want = crate::pool_times(&times, time, 2, None, 0).unwrap();
        assert_eq!(
            take(out).to_vec::<u8>().unwrap(),
            want.to_vec::<u8>().unwrap()
        );

        // Convolution + fire + pooling in one call, free function and layer method: the
        // composition's result (window 3, stride 2, top padding 1: overlapping windows).
        let (pk, ps, pp) = ([3usize, 3], [2usize, 2], [1usize, 0, 0, 0]);
        let fired = crate::conv_fire_times(&times, time, &c.inner.kernel, 1, 1, 1.5).unwrap();
        let want = crate::pool_times(&fired, time, 3, Some(2.into()), [1, 0, 0, 0]).unwrap();
        let mut out = std::ptr::null_mut();
        let st = spk_conv_fire_pool_times(
            &x,
            time,
            &kernel,
            std::ptr::null(),
            pad.as_ptr(),
            1.5,
            pk.as_ptr(),
            ps.as_ptr(),
            pp.as_ptr(),
            &mut out,
        );
        assert_eq!(st, spk_status::Ok, "{}", message());
        let got = take(out);
        assert_eq!(got.shape(), want.shape());
        assert_eq!(got.to_vec::<u8>().unwrap(), want.to_vec::<u8>().unwrap());
        let mut out = std::ptr::null_mut();
        let st = spk_conv_forward_fire_pool_times(
            &c,
            &x,
            time,
            1.5,
            pk.as_ptr(),
            ps.as_ptr(),
            pp.as_ptr(),
            &mut out,
        );
        assert_eq!(st, spk_status::Ok, "{}", message());
        assert_eq!(
            take(out).to_vec::<u8>().unwrap(),
            want.to_vec::<u8>().unwrap()
        );
        // NULL pool window, NULL out.
        let st = spk_conv_forward_fire_pool_times(
            &c,
            &x,
            time,
            1.5,
            std::ptr::null(),
            std::ptr::null(),
            std::ptr::null(),
            &mut out,
        );
        assert_eq!(st, spk_status::NullPointer);
        assert!(message().contains("pool_kernel"), "{}", message());
        let st = spk_conv_fire_pool_times(
            &x,
            time,
            &kernel,
            std::ptr::null(),
            pad.as_ptr(),
            1.5,
            pk.as_ptr(),
            std::ptr::null(),
            std::ptr::null(),
            std::ptr::null_mut(),
        );
        assert_eq!(st, spk_status::NullPointer);
    }
}

#[test]
fn the_training_step_through_the_c_abi_updates_like_the_rust_api() {
    let time = 15;
    let times = some_times([4, 2, 8, 8], time);
    let spikes = spk_tensor {
        inner: crate::times_to_spikes(&times, time).unwrap(),
    };
    let x = spk_tensor {
        inner: times.clone(),
    };
    let mut by_c = spk_conv { inner: layer(9) };
    by_c.inner.kernel = by_c.inner.kernel.copy().unwrap();
    let mut by_rust = layer(9);
    let radius = [1usize, 1];
    unsafe {
        for (step, on_times) in [(0, false), (1, true), (2, false)] {
            let mut w = std::ptr::null_mut();
            let st = match on_times {
                true => {
                    spk_conv_stdp_step_times(&mut by_c, &x, time, 1.0, radius.as_ptr(), 2, &mut w)
                }
                false => spk_conv_stdp_step(&mut by_c, &spikes, 1.0, radius.as_ptr(), 2, &mut w),
            };
            assert_eq!(st, spk_status::Ok, "step {step}: {}", message());
            let want = by_rust.stdp_step(&spikes.inner, 1.0, 1, 2).unwrap();
            let got = Box::from_raw(w).inner;
            assert_eq!(got, want, "step {step}");
            assert!(
                want.iter().any(|s| !s.is_empty()),
                "step {step} has winners"
            );
        }
    }
    let a = by_c.inner.kernel.to_vec::<f32>().unwrap();
    let b = by_rust.kernel.to_vec::<f32>().unwrap();
    assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
    let before = layer(9).kernel.to_vec::<f32>().unwrap();
    assert_ne!(a, before, "the steps learned something");
}

#[test]
fn spike_time_entry_points_reject_bad_arguments() {
    let time = 15;
    let x = spk_tensor {
        inner: some_times([1, 2, 4, 4], time),
    };
    let mut c = spk_conv { inner: layer(1) };
    unsafe {
        // Not rank-coded: success, false, NULL.
        let rate = spk_tensor {
            inner: crate::Tensor::from_vec(vec![1u8, 1, 0, 1], &[1, 2, 2]).unwrap(),
        };
        let (mut rank, mut out) = (true, std::ptr::dangling_mut::<spk_tensor>());
        assert_eq!(spk_rank_times(&rate, &mut rank, &mut out), spk_status::Ok);
        assert!(!rank && out.is_null());
        assert_eq!(
            spk_rank_times(&rate, std::ptr::null_mut(), &mut out),
            spk_status::NullPointer
        );
        // Times above `time`, `time` above 255, NULL kernel window, NULL out.
        let mut out = std::ptr::null_mut();
        assert_eq!(spk_times_to_spikes(&x, 3, &mut out), spk_status::Argument);
        assert!(message().contains("spike times in 0..=3"), "{}", message());
        assert_eq!(spk_times_to_spikes(&x, 300, &mut out), spk_status::Argument);
        let st = spk_pool_times(
            &x,
            time,
            std::ptr::null(),
            std::ptr::null(),
            std::ptr::null(),
            &mut out,
        );
        assert_eq!(st, spk_status::NullPointer);
        assert!(out.is_null());
        assert_eq!(
            spk_conv_forward_fire_times(&c, &x, time, 1.0, std::ptr::null_mut()),
            spk_status::NullPointer
        );
        // A kernel with a negative weight cannot give spike times.
        c.inner.kernel = crate::Tensor::from_vec(vec![-0.5f32; 4 * 2 * 9], &[4, 2, 3, 3]).unwrap();
        let st = spk_conv_forward_fire_times(&c, &x, time, 1.0, &mut out);
        assert_eq!(st, spk_status::Argument);
        assert!(message().contains("non-negative"), "{}", message());
        // Wrong dtype of the times, no STDP configuration, count 0.
        let f = spk_tensor {
            inner: crate::Tensor::zeros(crate::DType::F32, &[1, 2, 4, 4]).unwrap(),
        };
        let mut w = std::ptr::null_mut();
        let st = spk_conv_stdp_step_times(&mut c, &f, time, 1.0, std::ptr::null(), 1, &mut w);
        assert_eq!(st, spk_status::Dtype);
        let mut bare = spk_conv { inner: layer(1) };
        bare.inner.stdpconfig.clear();
        let st = spk_conv_stdp_step_times(&mut bare, &x, time, 0.0, std::ptr::null(), 1, &mut w);
        assert_ne!(st, spk_status::Ok);
        assert!(w.is_null());
        let st = spk_conv_stdp_step(std::ptr::null_mut(), &x, 0.0, std::ptr::null(), 1, &mut w);
        assert_eq!(st, spk_status::NullPointer);
    }
}

#[test]
fn code_times_through_the_c_abi_is_the_gathered_rank_code() {
    let v: Vec<f32> = (0..2 * 3 * 5 * 5)
        .map(|i| ((i * 37) % 11) as f32 / 10.0)
        .collect();
    let x = spk_tensor {
        inner: crate::Tensor::from_vec(v, &[2, 3, 5, 5]).unwrap(),
    };
    unsafe {
        let mut out = std::ptr::null_mut();
        assert_eq!(spk_code_times(&x, 15, true, &mut out), spk_status::Ok);
        let got = take(out);
        let spikes = crate::code(&x.inner, 15, true, crate::Code::Rank).unwrap();
        let want = crate::rank_times(&spikes).unwrap().unwrap();
        assert_eq!(got.shape(), &[2, 3, 5, 5]);
        assert_eq!(got.to_vec::<u8>().unwrap(), want.to_vec::<u8>().unwrap());
        assert_eq!(
            spk_code_times(&x, 256, true, &mut out),
            spk_status::Argument
        );
        assert!(message().contains("1..=255"), "{}", message());
        assert_eq!(
            spk_code_times(std::ptr::null(), 15, true, &mut out),
            spk_status::NullPointer
        );
    }
}
