/*
 * Small dense linear algebra over GF(2^8): Gauss-Jordan elimination with the
 * region kernels doing the row operations (rows are short, but a decode of
 * k = 200 still benefits from SIMD row updates).
 */
#include <stdlib.h>
#include <string.h>
#include "gf256.h"
#include "gf256_levels.h"

/* Reduce the augmented matrix [a | b] (n x (n + m), row-major, width w) to
 * [I | a^-1 b].  Returns 0, or -1 if a is singular. */
static int gauss_jordan(int n, int w, uint8_t *aug)
{
    for (int col = 0; col < n; col++) {
        int piv = -1;
        for (int r = col; r < n; r++)
            if (aug[(size_t)r * w + col]) {
                piv = r;
                break;
            }
        if (piv < 0)
            return -1;
        uint8_t *prow = aug + (size_t)piv * w;
        if (piv != col) {
            uint8_t *crow = aug + (size_t)col * w;
            for (int c = 0; c < w; c++) {
                uint8_t t = prow[c];
                prow[c] = crow[c];
                crow[c] = t;
            }
            prow = crow;
        }
        uint8_t pinv = fc_gf256_inv_table[prow[col]];
        fc_active_mul((size_t)w, pinv, prow, prow);
        for (int r = 0; r < n; r++) {
            uint8_t f = aug[(size_t)r * w + col];
            if (r != col && f)
                fc_active_mad((size_t)w, f, prow, aug + (size_t)r * w);
        }
    }
    return 0;
}

int fc_gf256_solve(int n, int m, const uint8_t *a, const uint8_t *b, uint8_t *x)
{
    fc_gf256_init();
    int w = n + m;
    uint8_t *aug = (uint8_t *)malloc((size_t)n * w + 1);
    if (!aug)
        return -2;
    for (int r = 0; r < n; r++) {
        memcpy(aug + (size_t)r * w, a + (size_t)r * n, (size_t)n);
        memcpy(aug + (size_t)r * w + n, b + (size_t)r * m, (size_t)m);
    }
    int rc = gauss_jordan(n, w, aug);
    if (rc == 0)
        for (int r = 0; r < n; r++)
            memcpy(x + (size_t)r * m, aug + (size_t)r * w + n, (size_t)m);
    free(aug);
    return rc;
}

int fc_gf256_invert(int n, const uint8_t *a, uint8_t *inv)
{
    uint8_t *eye = (uint8_t *)calloc((size_t)n * n + 1, 1);
    if (!eye)
        return -2;
    for (int i = 0; i < n; i++)
        eye[(size_t)i * n + i] = 1;
    int rc = fc_gf256_solve(n, n, a, eye, inv);
    free(eye);
    return rc;
}

/* Row echelon form in place; returns the rank and, if det != NULL, the
 * determinant (square input only; swaps do not change sign in characteristic 2). */
static int echelon(int rows, int cols, uint8_t *m, uint8_t *det)
{
    int rank = 0;
    uint8_t d = 1;
    for (int col = 0; col < cols && rank < rows; col++) {
        int piv = -1;
        for (int r = rank; r < rows; r++)
            if (m[(size_t)r * cols + col]) {
                piv = r;
                break;
            }
        if (piv < 0)
            continue;
        if (piv != rank) {
            for (int c = 0; c < cols; c++) {
                uint8_t t = m[(size_t)piv * cols + c];
                m[(size_t)piv * cols + c] = m[(size_t)rank * cols + c];
                m[(size_t)rank * cols + c] = t;
            }
        }
        uint8_t *prow = m + (size_t)rank * cols;
        uint8_t pv = prow[col];
        d = fc_gf256_mul1(d, pv);
        fc_active_mul((size_t)cols, fc_gf256_inv_table[pv], prow, prow);
        for (int r = rank + 1; r < rows; r++) {
            uint8_t f = m[(size_t)r * cols + col];
            if (f)
                fc_active_mad((size_t)cols, f, prow, m + (size_t)r * cols);
        }
        rank++;
    }
    if (det)
        *det = (rank == rows && rows == cols) ? d : 0;
    return rank;
}

int fc_gf256_rank(int rows, int cols, const uint8_t *a)
{
    fc_gf256_init();
    uint8_t *m = (uint8_t *)malloc((size_t)rows * cols + 1);
    if (!m)
        return -2;
    memcpy(m, a, (size_t)rows * cols);
    int rank = echelon(rows, cols, m, NULL);
    free(m);
    return rank;
}

int fc_gf256_det(int n, const uint8_t *a)
{
    fc_gf256_init();
    uint8_t *m = (uint8_t *)malloc((size_t)n * n + 1);
    if (!m)
        return -2;
    memcpy(m, a, (size_t)n * n);
    uint8_t d = 0;
    echelon(n, n, m, &d);
    free(m);
    return d;
}
