/* Gauss-Jordan elimination to reduced row echelon form over GF(p).
 * The row update x -= f * pivot_row uses Shoup multiplication by the fixed
 * factor (p - f), so the inner loop has no division. */
#include "gfp.h"

static uint32_t inv_mod(uint32_t a, uint32_t p)
{
    /* extended Euclid; a != 0 */
    int64_t t = 0, newt = 1, r = p, newr = a;
    while (newr != 0) {
        int64_t q = r / newr, tmp;
        tmp = t - q * newt; t = newt; newt = tmp;
        tmp = r - q * newr; r = newr; newr = tmp;
    }
    if (t < 0)
        t += p;
    return (uint32_t)t;
}

int fc_gfp_rref(int rows, int cols, int pivot_cols, uint32_t *a, uint32_t p,
                int *piv, uint32_t *det)
{
    int rank = 0, col, r, j, swaps = 0;
    uint32_t d = 1;
    for (col = 0; col < pivot_cols && rank < rows; col++) {
        int pr = -1;
        uint32_t *prow;
        for (r = rank; r < rows; r++)
            if (a[(size_t)r * cols + col] != 0) { pr = r; break; }
        if (pr < 0)
            continue;
        if (pr != rank) {
            uint32_t *x = a + (size_t)pr * cols, *y = a + (size_t)rank * cols;
            for (j = 0; j < cols; j++) { uint32_t t = x[j]; x[j] = y[j]; y[j] = t; }
            swaps++;
        }
        prow = a + (size_t)rank * cols;
        d = fc_gfp_mul(d, prow[col], p);
        {
            uint32_t iv = inv_mod(prow[col], p), ivs = fc_gfp_shoup(iv, p);
            for (j = col; j < cols; j++)
                prow[j] = fc_gfp_mul_shoup(prow[j], iv, ivs, p);
        }
        /* entries left of col in the pivot row are zero: start at col */
        for (r = 0; r < rows; r++) {
            uint32_t *x, f, nf, nfs;
            if (r == rank)
                continue;
            x = a + (size_t)r * cols;
            f = x[col];
            if (f == 0)
                continue;
            nf = p - f;
            nfs = fc_gfp_shoup(nf, p);
            for (j = col; j < cols; j++)
                x[j] = fc_gfp_add(x[j], fc_gfp_mul_shoup(prow[j], nf, nfs, p), p);
        }
        piv[rank] = col;
        rank++;
    }
    if (rank < pivot_cols)
        d = 0;
    else if (swaps & 1)
        d = d ? p - d : 0;
    *det = d;
    return rank;
}
