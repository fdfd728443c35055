/* 16 threads call fc_gf256_init at the same moment, then check the tables
 * against a definition computed here; built with -fsanitize=thread by
 * tests/test_c_init_race.py, so a data race is reported, not hoped away. */
#define _POSIX_C_SOURCE 200809L   /* pthread barriers under -std=c99 */
#include <pthread.h>
#include <stdio.h>

#include "gf256.h"

#define THREADS 16

static pthread_barrier_t start;
static int bad[THREADS];

static unsigned slow_mul(unsigned a, unsigned b) {
    unsigned p = 0;
    while (b) {
        if (b & 1) p ^= a;
        a <<= 1;
        if (a & 0x100) a ^= 0x11d;
        b >>= 1;
    }
    return p;
}

static void *worker(void *arg) {
    int id = (int)(size_t)arg;
    pthread_barrier_wait(&start);
    fc_gf256_init();
    for (unsigned a = 0; a < 256; a += 7)
        for (unsigned b = 0; b < 256; b++)
            if (fc_gf256_mul_table[a * 256 + b] != slow_mul(a, b)) bad[id]++;
    return NULL;
}

int main(void) {
    pthread_t th[THREADS];
    pthread_barrier_init(&start, NULL, THREADS);
    for (int i = 0; i < THREADS; i++) pthread_create(&th[i], NULL, worker, (void *)(size_t)i);
    int errors = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        errors += bad[i];
    }
    printf("%d threads, %d wrong products\n", THREADS, errors);
    return errors != 0;
}
