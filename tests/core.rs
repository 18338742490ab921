//! Behaviour and error paths of the core types (tensor, dtype, device, scalar, expand, runtime).

use spyker::{DType, Device, DeviceKind, ErrorKind, Expand2, Scalar, Tensor, FC};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

fn kind<T: std::fmt::Debug>(r: spyker::Result<T>) -> ErrorKind {
    r.expect_err("expected an error").kind()
}

#[test]
fn tensor_creation_errors() {
    assert_eq!(kind(Tensor::zeros(DType::F32, &[])), ErrorKind::Shape);
    assert_eq!(kind(Tensor::zeros(DType::F32, &[2, 0])), ErrorKind::Shape);
    assert_eq!(
        kind(Tensor::from_vec(vec![1.0f32; 5], &[2, 3])),
        ErrorKind::Shape
    );
    assert_eq!(
        kind(Tensor::zeros(DType::U8, &[usize::MAX, 4])),
        ErrorKind::Shape
    );
    let e = Tensor::from_vec(vec![1u8; 5], &[2, 3]).unwrap_err();
    assert!(
        e.message().contains("6") && e.message().contains("5"),
        "{e}"
    );
}

#[test]
fn view_errors() {
    let t = Tensor::zeros(DType::I16, &[2, 3, 4]).unwrap();
    assert_eq!(kind(t.reshape(&[-1, -1])), ErrorKind::Shape);
    assert_eq!(kind(t.reshape(&[5, -1])), ErrorKind::Shape);
    assert_eq!(kind(t.reshape(&[0, 24])), ErrorKind::Shape);
    assert_eq!(kind(t.reshape(&[-2, 12])), ErrorKind::Shape);
    assert_eq!(kind(t.reshape(&[7])), ErrorKind::Shape);
    assert_eq!(kind(t.reshape_to(&[5, 5])), ErrorKind::Shape);
    assert_eq!(kind(t.index(-1)), ErrorKind::Argument);
    assert_eq!(kind(t.index(2)), ErrorKind::Argument);
    assert_eq!(kind(t.slice(1, 1)), ErrorKind::Argument);
    assert_eq!(kind(t.slice(0, 3)), ErrorKind::Argument);
    assert_eq!(kind(t.dim(3)), ErrorKind::Shape);
    assert_eq!(t.reshape(&[4, -1]).unwrap().shape(), &[4, 6]);
    assert_eq!(t.slice(1, 2).unwrap().shape(), &[1, 3, 4]);
    assert_eq!(t.index(1).unwrap().index(2).unwrap().shape(), &[4]);
    assert_eq!(
        t.index(1)
            .unwrap()
            .index(2)
            .unwrap()
            .index(3)
            .unwrap()
            .shape(),
        &[1]
    );
}

#[test]
fn access_and_copy_errors() {
    let t = Tensor::zeros(DType::F32, &[4]).unwrap();
    assert_eq!(kind(t.read::<f64>()), ErrorKind::DType);
    assert_eq!(kind(t.write::<u8>()), ErrorKind::DType);
    assert_eq!(kind(t.to_vec::<i32>()), ErrorKind::DType);
    let u = Tensor::zeros(DType::F32, &[5]).unwrap();
    assert_eq!(kind(t.copy_from(&u)), ErrorKind::Shape);
    assert_eq!(
        kind(t.expect_dtype(DType::F16, "a kernel")),
        ErrorKind::DType
    );
}

#[test]
fn device_errors_without_cuda() {
    assert!(!spyker::cuda_available());
    assert_eq!(spyker::cuda_device_count(), 0);
    assert_eq!(spyker::all_devices(), vec![Device::Cpu]);
    assert_eq!(kind(Device::cuda(0)), ErrorKind::Device);
    assert_eq!(kind(Device::new(DeviceKind::Cuda, -1)), ErrorKind::Device);
    assert_eq!(kind(Device::new(DeviceKind::Cpu, 1)), ErrorKind::Device);
    assert_eq!(Device::new(DeviceKind::Cpu, -1).unwrap(), Device::Cpu);
    assert_eq!("CPU".parse::<Device>().unwrap(), Device::Cpu);
    assert_eq!(kind("cuda:0".parse::<Device>()), ErrorKind::Device);
    assert_eq!(kind("gpu".parse::<Device>()), ErrorKind::Device);
    assert_eq!(kind("cpu:x".parse::<Device>()), ErrorKind::Device);
    assert_eq!(
        kind(Tensor::zeros_on(Device::Cuda(0), DType::F32, &[2])),
        ErrorKind::Device
    );
    let t = Tensor::zeros(DType::F32, &[2]).unwrap();
    assert_eq!(kind(t.to_device(Device::Cuda(0))), ErrorKind::Device);
    assert!(t.to_device(Device::Cpu).unwrap().same_storage(&t));
    assert_eq!(
        kind(spyker::Conv::new(
            1,
            1,
            3,
            1,
            0,
            0.5,
            0.02,
            Device::Cuda(0),
            DType::F32
        )),
        ErrorKind::Device
    );
}

#[test]
fn dtype_and_argument_errors() {
    assert_eq!(kind("float".parse::<DType>()), ErrorKind::DType);
    assert_eq!(kind(DType::from_index(42)), ErrorKind::DType);
    assert_eq!(kind(Expand2::from_slice(&[])), ErrorKind::Argument);
    assert_eq!(
        kind(Expand2::new(0, 2).check_min(1, "stride")),
        ErrorKind::Argument
    );
    assert_eq!(
        kind(spyker::Conv::new(
            1,
            4,
            3,
            1,
            0,
            0.5,
            0.02,
            Device::Cpu,
            DType::I32
        )),
        ErrorKind::DType
    );
    assert_eq!(
        kind(spyker::Conv::new(
            0,
            4,
            3,
            1,
            0,
            0.5,
            0.02,
            Device::Cpu,
            DType::F32
        )),
        ErrorKind::Argument
    );
    assert_eq!(
        kind(spyker::Conv::new(
            1,
            4,
            3,
            0,
            0,
            0.5,
            0.02,
            Device::Cpu,
            DType::F32
        )),
        ErrorKind::Argument
    );
    assert_eq!(
        kind(spyker::Conv::new(
            1,
            4,
            (3, 0),
            1,
            0,
            0.5,
            0.02,
            Device::Cpu,
            DType::F32
        )),
        ErrorKind::Argument
    );
    assert_eq!(
        kind(FC::new(3, 2, 0.5, -1.0, Device::Cpu, DType::F32)),
        ErrorKind::Argument
    );
    assert_eq!(
        kind(FC::new(3, 2, f64::NAN, 1.0, Device::Cpu, DType::F32)),
        ErrorKind::Argument
    );
    assert_eq!(
        kind(FC::new(3, 0, 0.5, 0.1, Device::Cpu, DType::F32)),
        ErrorKind::Argument
    );
    assert_eq!(
        kind(FC::new(3, 2, 0.5, 0.1, Device::Cpu, DType::U8)),
        ErrorKind::DType
    );
}

#[test]
fn fill_copy_and_conversion() {
    let t = Tensor::full(DType::U8, &[2, 2], -1.0).unwrap();
    assert_eq!(t.to_vec::<u8>().unwrap(), vec![255; 4]);
    let c = t.copy().unwrap();
    assert!(!c.same_storage(&t));
    c.fill(3u8).unwrap();
    assert_eq!(t.to_vec::<u8>().unwrap(), vec![255; 4]);
    assert!(t.to_dtype(DType::U8).unwrap().same_storage(&t));
    let f = t.to_dtype(DType::F16).unwrap();
    assert_eq!(f.to_vec_as::<f32>().unwrap(), vec![255.0; 4]);
    // Flat copy between different shapes with conversion (the original's `to(Tensor)`).
    let dst = Tensor::zeros(DType::F64, &[4]).unwrap();
    dst.copy_from(&c).unwrap();
    assert_eq!(dst.to_vec::<f64>().unwrap(), vec![3.0; 4]);
    // Copy between overlapping views of one allocation goes through a temporary.
    let v = Tensor::from_vec((0..8).map(|i| i as f32).collect(), &[2, 4]).unwrap();
    v.index(0).unwrap().copy_from(&v.index(1).unwrap()).unwrap();
    assert_eq!(
        v.to_vec::<f32>().unwrap(),
        vec![4., 5., 6., 7., 4., 5., 6., 7.]
    );
    assert_eq!(Scalar::F64(-1.0).cast(DType::U8), Scalar::U8(255));
    assert_eq!(Scalar::from(300i32).to::<u8>(), 44);
    assert_eq!(format!("{:?}", v), "Tensor<2x4, f32, cpu:0>");
}

#[test]
fn ndarray_interop() {
    let a = ndarray::Array::from_shape_fn((2, 3, 4), |(i, j, k)| (i * 100 + j * 10 + k) as i32);
    let t = Tensor::from_ndarray(&a).unwrap();
    assert_eq!(t.shape(), &[2, 3, 4]);
    assert_eq!(t.to_ndarray::<i32>().unwrap(), a.into_dyn());
    // A transposed (non-contiguous) view is copied in logical order.
    let b = ndarray::arr2(&[[1.0f64, 2.0], [3.0, 4.0]]);
    let tb = Tensor::from_ndarray(&b.t()).unwrap();
    assert_eq!(tb.to_vec::<f64>().unwrap(), vec![1.0, 3.0, 2.0, 4.0]);
    let s = t.with_ndarray::<i32, i32>(|v| v.sum()).unwrap();
    assert_eq!(s, t.to_vec::<i32>().unwrap().iter().sum::<i32>());
    t.with_ndarray_mut::<i32, ()>(|mut v| {
        v[[1, 2, 3]] = -7;
    })
    .unwrap();
    assert_eq!(*t.to_vec::<i32>().unwrap().last().unwrap(), -7);
    assert_eq!(kind(t.to_ndarray::<f32>()), ErrorKind::DType);
}

#[test]
fn wrapping_caller_memory_is_zero_copy_and_released_once() {
    let mut buf = vec![0.0f32; 6];
    let released = Arc::new(AtomicUsize::new(0));
    let r = released.clone();
    let t = unsafe {
        Tensor::from_raw(
            buf.as_mut_ptr() as *mut u8,
            DType::F32,
            &[2, 3],
            Some(Box::new(move || {
                r.fetch_add(1, Ordering::SeqCst);
            })),
        )
    }
    .unwrap();
    let view = t.index(1).unwrap();
    view.fill(2.5).unwrap();
    drop(t);
    assert_eq!(
        released.load(Ordering::SeqCst),
        0,
        "a view still uses the memory"
    );
    drop(view);
    assert_eq!(released.load(Ordering::SeqCst), 1);
    assert_eq!(buf, vec![0.0, 0.0, 0.0, 2.5, 2.5, 2.5]);
    assert_eq!(
        kind(unsafe { Tensor::from_raw(std::ptr::null_mut(), DType::F32, &[1], None) }),
        ErrorKind::Argument
    );
    let mut bytes = [0u8; 16];
    let odd = unsafe { bytes.as_mut_ptr().add(1) };
    let odd = if (odd as usize).is_multiple_of(4) {
        unsafe { odd.add(1) }
    } else {
        odd
    };
    assert_eq!(
        kind(unsafe { Tensor::from_raw(odd, DType::F32, &[2], None) }),
        ErrorKind::Argument
    );
}

#[test]
fn runtime_controls() {
    let before = spyker::max_threads();
    spyker::set_max_threads(1);
    assert_eq!(spyker::max_threads(), 1);
    spyker::set_max_threads(3);
    assert_eq!(spyker::max_threads(), 3);
    spyker::set_max_threads(-1);
    assert!(spyker::max_threads() >= 1);
    spyker::set_max_threads(before as i64);
    let v = spyker::version();
    assert_eq!(
        format!("{}.{}.{}", v.major, v.minor, v.patch),
        spyker::runtime::version_string()
    );
    spyker::clear_context();
}

#[test]
fn tensors_are_shareable_across_threads() {
    let t = Tensor::zeros(DType::I64, &[8, 1000]).unwrap();
    std::thread::scope(|s| {
        for i in 0..8 {
            let v = t.index(i).unwrap();
            s.spawn(move || {
                v.fill(i).unwrap();
            });
        }
    });
    let v = t.to_vec::<i64>().unwrap();
    for i in 0..8 {
        assert!(v[i * 1000..(i + 1) * 1000].iter().all(|&x| x == i as i64));
    }
}
