//! The bridge's contract seen from Rust: the status category and message of every failure,
//! panics as `Internal`, and the conversions of the shared structs.

use super::bridge::{DeviceSpec, Ext2, Ext4, StdpConfig, Winner, WinnerList};
use super::*;
use crate::ffi::spk_status;

const CPU: DeviceSpec = DeviceSpec { kind: 0, index: -1 };
const F32: i32 = crate::DType::F32 as i32;
const U8: i32 = crate::DType::U8 as i32;

fn status<T>(r: BridgeResult<T>) -> spk_status {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.status,
    }
}

fn floats(v: &[f32], shape: &[usize]) -> Box<Tensor> {
    tensor_from_bytes(F32, shape, bytemuck::cast_slice(v)).unwrap()
}

#[test]
fn errors_carry_the_c_status_and_message() {
    let e = tensor_zeros(CPU, F32, &[]).err().unwrap();
    assert_eq!(e.status, spk_status::Shape);
    assert_eq!(e.to_string(), "1:shape error: expected a rank >= 1, got 0");
    assert_eq!(status(tensor_zeros(CPU, 42, &[2])), spk_status::Dtype);
    let dev = DeviceSpec { kind: 7, index: 0 };
    assert_eq!(status(tensor_zeros(dev, F32, &[2])), spk_status::Device);
    assert_eq!(status(cuda_set_device(-1)), spk_status::Argument);
    assert_eq!(status(conv_load("/nonexistent/spyker.npz")), spk_status::Io);
    let x = floats(&[1.0, 2.0], &[2]);
    assert_eq!(status(fire(&x, 0.0, U8, 5)), spk_status::Argument);
}

#[test]
fn panics_become_internal_errors() {
    let e = call::<()>(|| panic!("boom in the engine")).unwrap_err();
    assert_eq!(e.status, spk_status::Internal);
    assert!(e.message.contains("boom in the engine"), "{}", e.message);
    assert!(e.to_string().starts_with("8:internal error"), "{e}");
}

#[test]
fn typed_reads_and_writes_check_dtype_and_size() {
    let x = floats(&[1.0, 2.0, 3.0], &[3]);
    let mut out = [0u8; 12];
    tensor_read(&x, F32, &mut out).unwrap();
    assert_eq!(bytemuck::cast_slice::<u8, f32>(&out), &[1.0, 2.0, 3.0]);
    assert_eq!(status(tensor_read(&x, U8, &mut out)), spk_status::Dtype);
    assert_eq!(
        status(tensor_read(&x, F32, &mut out[..8])),
        spk_status::Shape
    );
    assert_eq!(status(tensor_write(&x, F32, &out[..4])), spk_status::Shape);
    assert_eq!(
        status(tensor_from_bytes(F32, &[2], &out)),
        spk_status::Shape
    );
}

#[test]
fn shares_views_and_copies_like_the_c_handles() {
    let x = floats(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
    let alias = tensor_share(&x).unwrap();
    let row = tensor_index(&x, 1).unwrap();
    tensor_fill(&row, 9.0).unwrap();
    assert_eq!(alias.0.to_vec::<f32>().unwrap(), vec![1.0, 2.0, 9.0, 9.0]);
    assert!(tensor_same_storage(&x, &alias).unwrap());
    let deep = tensor_copy(&x).unwrap();
    assert!(!tensor_same_storage(&x, &deep).unwrap());
    assert_eq!(
        tensor_shape(&tensor_reshape(&x, &[-1]).unwrap()).unwrap(),
        vec![4]
    );
    assert_eq!(tensor_device(&x).unwrap(), DeviceSpec { kind: 0, index: 0 });
}

#[test]
fn wrap_rejects_null_and_short_memory() {
    let mut mem = [0i32; 4];
    let p = mem.as_mut_ptr() as *mut u8;
    let i32t = crate::DType::I32 as i32;
    // SAFETY: `mem` outlives every tensor below.
    unsafe {
        assert_eq!(
            status(tensor_wrap(std::ptr::null_mut(), 16, i32t, &[4])),
            spk_status::Argument
        );
        assert_eq!(status(tensor_wrap(p, 8, i32t, &[4])), spk_status::Shape);
        let t = tensor_wrap(p, 16, i32t, &[2, 2]).unwrap();
        tensor_fill(&t, -3.0).unwrap();
    }
    assert_eq!(mem, [-3; 4]);
}

#[test]
fn layers_check_kernels_and_keep_configs() {
    let zero = Ext4 {
        top: 0,
        left: 0,
        bottom: 0,
        right: 0,
    };
    let k = Ext2 { y: 3, x: 3 };
    let mut c = conv_new(2, 4, k, Ext2 { y: 1, x: 1 }, zero, 0.5, 0.02, CPU, F32).unwrap();
    assert_eq!(
        tensor_shape(&conv_kernel(&c).unwrap()).unwrap(),
        vec![4, 2, 3, 3]
    );
    let x = floats(&[1.0; 4], &[2, 2]);
    assert_eq!(status(conv_set_kernel(&mut c, &x)), spk_status::Shape);
    let cfg = StdpConfig {
        positive: 0.004,
        negative: -0.003,
        stabilize: false,
        lower: 0.0,
        upper: 1.0,
    };
    conv_set_stdp_configs(&mut c, &[cfg]).unwrap();
    assert_eq!(conv_stdp_configs(&c).unwrap(), vec![cfg]);
    let bad = conv_new(0, 4, k, Ext2 { y: 1, x: 1 }, zero, 0.5, 0.02, CPU, F32);
    assert_eq!(status(bad), spk_status::Argument);
    let f = fc_new(3, 2, 0.5, 0.02, CPU, F32).unwrap();
    let y = fc_forward(&f, &floats(&[1.0, 0.0, 1.0], &[1, 1, 3]), false).unwrap();
    assert_eq!(tensor_shape(&y).unwrap(), vec![1, 1, 2]);
}

#[test]
fn winners_convert_both_ways() {
    let w = vec![
        WinnerList { items: vec![] },
        WinnerList {
            items: vec![Winner {
                c: 1,
                t: 2,
                z: 3,
                y: 4,
                x: 5,
            }],
        },
    ];
    let engine = ops::engine_winners(&w);
    assert_eq!(engine[1][0].y, 4);
    assert_eq!(ops::winner_lists(engine), w);
}

#[test]
fn pool_stride_zero_means_the_kernel() {
    let x = floats(
        &(0..16).map(|v| v as f32).collect::<Vec<_>>(),
        &[1, 1, 4, 4],
    );
    let zero = Ext4 {
        top: 0,
        left: 0,
        bottom: 0,
        right: 0,
    };
    let k = Ext2 { y: 2, x: 2 };
    let a = pool(&x, k, Ext2 { y: 0, x: 0 }, zero).unwrap();
    let b = pool(&x, k, k, zero).unwrap();
    assert_eq!(a.0.to_vec::<f32>().unwrap(), vec![5.0, 7.0, 13.0, 15.0]);
    assert_eq!(a.0.to_vec::<f32>().unwrap(), b.0.to_vec::<f32>().unwrap());
    assert_eq!(tensor_shape(&a).unwrap(), tensor_shape(&b).unwrap());
}

#[test]
fn lists_and_csv_check_indices_and_ends() {
    let mut l = tensor_list_new().unwrap();
    tensor_list_push(&mut l, "a", &floats(&[1.0], &[1])).unwrap();
    assert_eq!(tensor_list_name(&l, 0).unwrap(), "a");
    assert_eq!(status(tensor_list_get(&l, 1)), spk_status::Argument);
    let dir = std::env::temp_dir().join(format!("spyker-cxxbridge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("a.csv");
    std::fs::write(&path, "1,2\n3,4\n").unwrap();
    let mut c = csv_open(path.to_str().unwrap(), ",", false).unwrap();
    let mut fields = Vec::new();
    assert!(csv_readline(&mut c, &mut fields).unwrap());
    assert_eq!(fields, vec!["1", "2"]);
    assert_eq!(csv_skip(&mut c, 5).unwrap(), 1);
    assert!(!csv_readline(&mut c, &mut fields).unwrap());
    let npz = dir.join("l.npz");
    npz_write(npz.to_str().unwrap(), &l).unwrap();
    assert_eq!(
        tensor_list_len(&npz_read(npz.to_str().unwrap()).unwrap()).unwrap(),
        1
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_late_c_twins_match_their_allocating_forms() {
    assert_eq!(status(cuda_cache_stats(-1)), spk_status::Argument);
    let v = version_numbers().unwrap();
    assert_eq!(
        format!("{}.{}.{}", v.major, v.minor, v.patch),
        crate::runtime::version_string()
    );

    // fill_int is exact beyond f64's 53 bits.
    let big = tensor_zeros(CPU, crate::DType::I64 as i32, &[2]).unwrap();
    let odd = (1i64 << 53) + 1;
    tensor_fill_int(&big, odd).unwrap();
    assert_eq!(big.0.to_vec::<i64>().unwrap(), vec![odd; 2]);

    let pad = Ext4 {
        top: 1,
        left: 2,
        bottom: 3,
        right: 4,
    };
    let stride = Ext2 { y: 2, x: 1 };
    let c = conv_new(1, 2, Ext2 { y: 3, x: 3 }, stride, pad, 0.5, 0.02, CPU, F32).unwrap();
    let g = conv_geometry(&c).unwrap();
    assert_eq!((g.stride, g.pad), (stride, pad));

    let x = floats(&[0.0, 1.0, 0.0, 2.0, 5.0, 0.0, 3.0, 3.0], &[1, 2, 4]);
    let labels = tensor_zeros(CPU, crate::DType::I64 as i32, &[1]).unwrap();
    labelize_into(&x, &labels, 1.5).unwrap();
    assert_eq!(
        labels.0.to_vec::<i64>().unwrap(),
        labelize(&x, 1.5).unwrap().0.to_vec::<i64>().unwrap()
    );
    let wrong = tensor_zeros(CPU, F32, &[1]).unwrap();
    assert_eq!(status(labelize_into(&x, &wrong, 1.5)), spk_status::Dtype);

    let data = floats(
        &(0..12)
            .map(|i| ((i * 5) % 7) as f32 - 3.0)
            .collect::<Vec<_>>(),
        &[4, 3],
    );
    let mut z = zca_new().unwrap();
    zca_fit(&mut z, &data, 1e-2, false).unwrap();
    let same = zca_from_parts(&zca_mean(&z).unwrap(), &zca_transform(&z).unwrap()).unwrap();
    assert_eq!(
        zca_apply(&same, &data).unwrap().0.to_vec::<f32>().unwrap(),
        zca_apply(&z, &data).unwrap().0.to_vec::<f32>().unwrap()
    );
    let halves = tensor_zeros(CPU, F32, &[4, 2, 3]).unwrap();
    zca_split_into(&data, &halves).unwrap();
    assert_eq!(
        halves.0.to_vec::<f32>().unwrap(),
        zca_split(&data).unwrap().0.to_vec::<f32>().unwrap()
    );

    let dir = std::env::temp_dir().join(format!("spyker-cxxbridge-late-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("a.csv");
    std::fs::write(&csv, "a, b,c, d\n").unwrap();
    let csv = csv.to_str().unwrap();
    assert_eq!(read_csv(csv, ", ", false).unwrap(), vec!["a", "b,c", "d"]);
    assert_eq!(read_csv(csv, ", ", true).unwrap(), vec!["a", " b,c", " d"]);
    let png = dir.join("a.png");
    let png = png.to_str().unwrap();
    let pixels = tensor_from_bytes(U8, &[1, 2, 3], &[0, 50, 100, 150, 200, 250]).unwrap();
    write_image(&pixels, png, "PNG").unwrap();
    let into = tensor_zeros(CPU, U8, &[1, 2, 3]).unwrap();
    read_image_into(&into, png, "Y", Ext2 { y: 0, x: 0 }, false).unwrap();
    assert_eq!(
        into.0.to_vec::<u8>().unwrap(),
        vec![0, 50, 100, 150, 200, 250]
    );
    let wrong = tensor_zeros(CPU, U8, &[1, 3, 2]).unwrap();
    let r = read_image_into(&wrong, png, "Y", Ext2 { y: 0, x: 0 }, false);
    assert_eq!(status(r), spk_status::Shape);
    std::fs::remove_dir_all(&dir).unwrap();
}
