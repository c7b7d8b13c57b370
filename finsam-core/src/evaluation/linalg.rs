//! The small dense linear algebra the estimators need: a Cholesky
//! factorisation of a symmetric positive definite p×p matrix (p is the
//! number of covariates, tens at most), its solve and its inverse.

/// The lower-triangular Cholesky factor `L` of `A = L Lᵀ`, row-major.
#[derive(Clone, Debug)]
pub(crate) struct Cholesky {
    l: Vec<f64>,
    p: usize,
}

/// A pivot below this fraction of its diagonal entry means the column is
/// (numerically) a combination of the ones before it.
const RELATIVE_PIVOT: f64 = 1e-11;

impl Cholesky {
    /// Factors `a` (row-major p×p; only the lower triangle is read). On
    /// failure, the index of the first column that is (numerically) a
    /// combination of the ones before it.
    pub(crate) fn new(a: &[f64], p: usize) -> Result<Cholesky, usize> {
        let mut l = vec![0.0; p * p];
        for j in 0..p {
            let diagonal = a[j * p + j];
            let d = diagonal - (0..j).map(|k| l[j * p + k] * l[j * p + k]).sum::<f64>();
            if d.is_nan() || d <= RELATIVE_PIVOT * diagonal.abs() || d.is_infinite() {
                return Err(j);
            }
            let ljj = d.sqrt();
            l[j * p + j] = ljj;
            for i in j + 1..p {
                let s = a[i * p + j] - (0..j).map(|k| l[i * p + k] * l[j * p + k]).sum::<f64>();
                l[i * p + j] = s / ljj;
            }
        }
        Ok(Cholesky { l, p })
    }

    /// Solves `A x = b`.
    pub(crate) fn solve(&self, b: &[f64]) -> Vec<f64> {
        let (l, p) = (&self.l, self.p);
        let mut y = b.to_vec();
        for i in 0..p {
            let s = (0..i).map(|k| l[i * p + k] * y[k]).sum::<f64>();
            y[i] = (y[i] - s) / l[i * p + i];
        }
        for i in (0..p).rev() {
            let s = (i + 1..p).map(|k| l[k * p + i] * y[k]).sum::<f64>();
            y[i] = (y[i] - s) / l[i * p + i];
        }
        y
    }

    /// `A⁻¹`, row-major.
    pub(crate) fn inverse(&self) -> Vec<f64> {
        let p = self.p;
        let mut inv = vec![0.0; p * p];
        let mut e = vec![0.0; p];
        for j in 0..p {
            e.iter_mut().for_each(|v| *v = 0.0);
            e[j] = 1.0;
            for (i, v) in self.solve(&e).into_iter().enumerate() {
                inv[i * p + j] = v;
            }
        }
        inv
    }
}

/// Adds `w · x xᵀ` to the lower triangle of `a` (p×p, row-major).
pub(crate) fn add_outer_lower(a: &mut [f64], x: &[f64], w: f64) {
    let p = x.len();
    for i in 0..p {
        let wxi = w * x[i];
        let row = &mut a[i * p..i * p + i + 1];
        for (aij, xj) in row.iter_mut().zip(x) {
            *aij += wxi * xj;
        }
    }
}

/// Copies the lower triangle of `a` into its upper triangle.
pub(crate) fn symmetrise(a: &mut [f64], p: usize) {
    for i in 0..p {
        for j in i + 1..p {
            a[i * p + j] = a[j * p + i];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_and_inverts_a_hand_worked_system() {
        // A = [[4, 2], [2, 3]]: det 8, inverse [[3, -2], [-2, 4]] / 8.
        let c = Cholesky::new(&[4.0, 2.0, 2.0, 3.0], 2).unwrap();
        let x = c.solve(&[2.0, 1.0]);
        assert!((x[0] - 0.5).abs() < 1e-15 && x[1].abs() < 1e-15);
        let inv = c.inverse();
        for (got, want) in inv.iter().zip([3.0 / 8.0, -0.25, -0.25, 0.5]) {
            assert!((got - want).abs() < 1e-15);
        }
    }

    #[test]
    fn a_collinear_column_is_named() {
        // Column 2 = column 0 + column 1.
        let x = [[1.0, 0.0, 1.0], [1.0, 1.0, 2.0], [1.0, 2.0, 3.0], [1.0, 5.0, 6.0]];
        let mut a = vec![0.0; 9];
        for r in &x {
            add_outer_lower(&mut a, r, 1.0);
        }
        symmetrise(&mut a, 3);
        assert_eq!(Cholesky::new(&a, 3).unwrap_err(), 2);
    }
}
