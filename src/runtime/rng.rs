//! Random generators that reproduce the original bit for bit: the 32-bit Mersenne Twister, the
//! libstdc++ normal distribution on top of it (spec Appendix A.1) and glibc's `rand()` (A.2).

/// `std::mt19937`: the standard 32-bit Mersenne Twister.
#[derive(Clone)]
pub struct Mt19937 {
    state: [u32; 624],
    index: usize,
}

impl Mt19937 {
    /// Seeds like `std::mt19937(seed)` (and numpy's legacy `RandomState(seed)`).
    pub fn new(seed: u32) -> Mt19937 {
        let mut state = [0u32; 624];
        state[0] = seed;
        for i in 1..624 {
            let prev = state[i - 1];
            state[i] = 1812433253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        Mt19937 { state, index: 624 }
    }

    fn twist(&mut self) {
        for i in 0..624 {
            let y = (self.state[i] & 0x8000_0000) | (self.state[(i + 1) % 624] & 0x7fff_ffff);
            let mut v = self.state[(i + 397) % 624] ^ (y >> 1);
            if y & 1 != 0 {
                v ^= 0x9908_b0df;
            }
            self.state[i] = v;
        }
        self.index = 0;
    }

    /// The next 32-bit output.
    pub fn next_u32(&mut self) -> u32 {
        if self.index >= 624 {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// libstdc++ `generate_canonical<double, 53>`: two outputs, low word first.
    pub fn next_canonical(&mut self) -> f64 {
        let a = self.next_u32() as f64;
        let b = self.next_u32() as f64;
        let u = (a + b * 4294967296.0) / 18446744073709551616.0;
        if u >= 1.0 {
            1.0 - f64::EPSILON / 2.0
        } else {
            u
        }
    }
}

/// libstdc++ `std::normal_distribution<double>` (Marsaglia polar method with a cached spare),
/// with the FMA contractions of the reference binary.
#[derive(Clone)]
pub struct Normal {
    mean: f64,
    std: f64,
    spare: Option<f64>,
}

impl Normal {
    pub fn new(mean: f64, std: f64) -> Normal {
        Normal {
            mean,
            std,
            spare: None,
        }
    }

    pub fn sample(&mut self, rng: &mut Mt19937) -> f64 {
        let z = match self.spare.take() {
            Some(z) => z,
            None => loop {
                let x = 2.0 * rng.next_canonical() - 1.0;
                let y = 2.0 * rng.next_canonical() - 1.0;
                let r2 = x.mul_add(x, y * y);
                if r2 > 0.0 && r2 <= 1.0 {
                    let f = (-2.0 * r2.ln() / r2).sqrt();
                    self.spare = Some(x * f);
                    break y * f;
                }
            },
        };
        z.mul_add(self.std, self.mean)
    }
}

/// glibc `rand()` (TYPE_3 additive feedback generator).
#[derive(Clone)]
pub struct GlibcRand {
    r: [i32; 34],
    i: usize,
}

impl GlibcRand {
    pub fn new(seed: u32) -> GlibcRand {
        let mut r = [0i32; 34];
        r[0] = if seed == 0 { 1 } else { seed as i32 };
        for i in 1..31 {
            // Schrage's method on signed 32-bit values, as glibc does.
            let hi = r[i - 1] / 127773;
            let lo = r[i - 1] % 127773;
            let mut word = 16807i32
                .wrapping_mul(lo)
                .wrapping_sub(2836i32.wrapping_mul(hi));
            if word < 0 {
                word = word.wrapping_add(2147483647);
            }
            r[i] = word;
        }
        for i in 31..34 {
            r[i] = r[i - 31];
        }
        let mut g = GlibcRand { r, i: 34 };
        for _ in 34..344 {
            g.step();
        }
        g
    }

    fn step(&mut self) -> u32 {
        // Ring buffer of the last 34 values: r[k] = r[k-31] + r[k-3].
        let k = self.i;
        let v = self.r[(k + 34 - 31) % 34].wrapping_add(self.r[(k + 34 - 3) % 34]);
        self.r[k % 34] = v;
        self.i = k + 1;
        v as u32
    }

    /// The next output in `0..2^31`.
    pub fn next_rand(&mut self) -> u32 {
        self.step() >> 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mt19937_reference_values() {
        // The C++ standard requires the 10000th output of a default-seeded mt19937 to be this.
        let mut g = Mt19937::new(5489);
        let mut v = 0;
        for _ in 0..10000 {
            v = g.next_u32();
        }
        assert_eq!(v, 4123659995);
        // numpy.random.RandomState(0).randint(0, 2**32) style raw output for seed 0.
        let mut g = Mt19937::new(0);
        assert_eq!(g.next_u32(), 2357136044);
    }

    #[test]
    fn glibc_rand_first_outputs() {
        let mut g = GlibcRand::new(1);
        let got: Vec<u32> = (0..5).map(|_| g.next_rand()).collect();
        assert_eq!(
            got,
            [1804289383, 846930886, 1681692777, 1714636915, 1957747793]
        );
    }

    #[test]
    fn normal_moments() {
        let mut g = Mt19937::new(7);
        let mut n = Normal::new(0.5, 0.02);
        let xs: Vec<f64> = (0..20000).map(|_| n.sample(&mut g)).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
        assert!((mean - 0.5).abs() < 1e-3, "{mean}");
        assert!((var.sqrt() - 0.02).abs() < 1e-3, "{}", var.sqrt());
    }
}
