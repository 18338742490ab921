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
