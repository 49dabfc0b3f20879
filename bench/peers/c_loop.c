/* Plain C peer for the BPTT benchmark: double precision, row-major, naive loops, no BLAS.
 *
 *   gcc -O3 -march=native -o build/bench/c_loop bench/peers/c_loop.c -lm
 *   build/bench/c_loop --grad case.json              -> gradient JSON on stdout
 *   build/bench/c_loop --time --size S1 [--case case.json] [--seed 1]
 *
 * Model (Goodfellow 10.2.2): a = b + W h(t-1) + U x(t); h = tanh(a); o = c + V h;
 * L = sum_t -log softmax(o(t))[y(t)].  Token inputs index the column U[:, tok] (equal to
 * U times the one-hot x, added in a different order); real inputs use the dense product.
 * A batch case (S4) runs the batched loops: every weight row is reused across the B
 * sequences before moving on (the loop-nest form of the matrix-matrix products).
 * Without --case the case is generated with the shared mulberry32 generator
 * (see make_case.py), so it is the same case the other peers build.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  int H, D, K, T, B, real, batched; /* B = number of sequences (1 for a single case) */
  double *U, *W, *V, *b, *c, *h0;   /* h0: B x H */
  int *tok, *y;                     /* B x T */
  double *x;                        /* B x T x D (real inputs) */
} Case;

typedef struct { double *U, *W, *V, *b, *c, *h0; } Grads;

static void *xcalloc(size_t n, size_t s) {
  void *p = calloc(n ? n : 1, s);
  if (!p) { fprintf(stderr, "out of memory\n"); exit(1); }
  return p;
}

/* ---------- shared deterministic generator (mulberry32 + Box-Muller) ---------- */
static uint32_t rng_a;
static uint32_t u32(void) {
  uint32_t t = (rng_a += 0x6D2B79F5u);
  t = (t ^ (t >> 15)) * (t | 1u);
  t ^= t + (t ^ (t >> 7)) * (t | 61u);
  return t ^ (t >> 14);
}
static double uniform(void) { return ((double)u32() + 0.5) / 4294967296.0; }
static double normal(void) {
  double u1 = uniform(), u2 = uniform();
  return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}
static void fill(double *p, int n, int fan) {
  double s = 1.0 / sqrt((double)fan);
  for (int i = 0; i < n; i++) p[i] = normal() * s;
}

static void alloc_case(Case *cs) {
  int H = cs->H, D = cs->D, K = cs->K, T = cs->T, B = cs->B;
  cs->U = xcalloc((size_t)H * D, 8); cs->W = xcalloc((size_t)H * H, 8);
  cs->V = xcalloc((size_t)K * H, 8); cs->b = xcalloc(H, 8); cs->c = xcalloc(K, 8);
  cs->h0 = xcalloc((size_t)B * H, 8);
  cs->tok = xcalloc((size_t)B * T, sizeof(int)); cs->y = xcalloc((size_t)B * T, sizeof(int));
  cs->x = xcalloc(cs->real ? (size_t)B * T * D : 1, 8);
}

static int size_case(const char *size, Case *cs) {
  static const struct { const char *n; int H, D, K, T, B, real; } S[] = {
    {"S1", 100, 65, 65, 25, 0, 0}, {"S2", 256, 65, 65, 100, 0, 0},
    {"S3", 512, 128, 128, 200, 0, 1}, {"S4", 256, 65, 65, 100, 32, 0},
    {"tiny", 7, 5, 4, 6, 0, 0}, {"tiny-x", 6, 5, 4, 7, 0, 1},
    {"tiny-batch", 7, 5, 4, 6, 3, 0}, {"tiny-batch-x", 6, 5, 4, 5, 3, 1}};
  for (size_t i = 0; i < sizeof S / sizeof S[0]; i++)
    if (!strcmp(S[i].n, size)) {
      cs->H = S[i].H; cs->D = S[i].D; cs->K = S[i].K; cs->T = S[i].T;
      cs->batched = S[i].B > 0; cs->B = S[i].B ? S[i].B : 1; cs->real = S[i].real;
      return 1;
    }
  return 0;
}

static void gen_case(Case *cs, uint32_t seed) {
  int H = cs->H, D = cs->D, K = cs->K, T = cs->T;
  alloc_case(cs);
  rng_a = seed;
  fill(cs->U, H * D, D); fill(cs->W, H * H, H); fill(cs->V, K * H, H);
  fill(cs->b, H, H); fill(cs->c, K, H);
  for (int s = 0; s < cs->B; s++) {
    for (int t = 0; t < T; t++) {
      if (cs->real) for (int j = 0; j < D; j++) cs->x[((size_t)s * T + t) * D + j] = normal();
      else cs->tok[s * T + t] = (int)(uniform() * D);
    }
    for (int t = 0; t < T; t++) cs->y[s * T + t] = (int)(uniform() * K);
  }
}

/* ---------- minimal reader for the case JSON contract ---------- */
static const char *after_key(const char *from, const char *key) {
  char pat[64];
  snprintf(pat, sizeof pat, "\"%s\"", key);
  const char *p = strstr(from, pat);
  if (!p) return NULL;
  p += strlen(pat);
  while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') p++;
  return *p == ':' ? p + 1 : NULL;
}
/* Parses a (nested) number array at p; returns the flat values, *n, *rows (0 if 1-D). */
static double *parse_arr(const char *p, int *n, int *rows, const char **end) {
  int cap = 1024, depth = 0;
  double *v = malloc(cap * sizeof(double));
  *n = 0; *rows = 0;
  while (*p && *p != '[') p++;
  while (*p) {
    char ch = *p;
    if (ch == '[') { if (++depth == 2) (*rows)++; p++; }
    else if (ch == ']') { p++; if (--depth == 0) break; }
    else if (ch == ',' || ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r') p++;
    else {
      char *q;
      double d = strtod(p, &q);
      if (q == p) { fprintf(stderr, "bad number near: %.20s\n", p); exit(1); }
      if (*n == cap) v = realloc(v, (cap *= 2) * sizeof(double));
      v[(*n)++] = d;
      p = q;
    }
  }
  if (end) *end = p;
  return v;
}
static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(1); }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc(n + 1);
  if (fread(s, 1, n, f) != (size_t)n) { perror(path); exit(1); }
  s[n] = 0;
  fclose(f);
  return s;
}
static const char *need(const char *from, const char *key) {
  const char *p = after_key(from, key);
  if (!p) { fprintf(stderr, "case: missing \"%s\"\n", key); exit(1); }
  return p;
}
static void read_case(const char *path, Case *cs) {
  char *s = slurp(path);
  const char *P = need(s, "params"), *e;
  int n, r;
  double *U = parse_arr(need(P, "U"), &n, &r, NULL);
  cs->H = r; cs->D = n / r;
  double *V = parse_arr(need(P, "V"), &n, &r, NULL);
  cs->K = r;
  const char *bt = after_key(s, "batch");
  cs->batched = bt != NULL;
  cs->real = after_key(s, "x") != NULL;
  const char *inkey = cs->real ? "x" : "tokens";
  /* count the sequences (B) and their length (T) */
  int B = 0, T = 0;
  for (const char *q = bt ? bt : s; (q = after_key(q, inkey)) != NULL && (bt || B == 0); q = e, B++) {
    double *a = parse_arr(q, &n, &r, &e);
    T = cs->real ? r : n;
    free(a);
  }
  cs->B = B; cs->T = T;
  alloc_case(cs);
  memcpy(cs->U, U, sizeof(double) * cs->H * cs->D);
  memcpy(cs->V, V, sizeof(double) * cs->K * cs->H);
  free(U); free(V);
  struct { const char *k; double *dst; int len; } pp[] = {
    {"W", cs->W, cs->H * cs->H}, {"b", cs->b, cs->H}, {"c", cs->c, cs->K}};
  for (int i = 0; i < 3; i++) {
    double *a = parse_arr(need(P, pp[i].k), &n, &r, NULL);
    if (n != pp[i].len) { fprintf(stderr, "case: %s has %d entries\n", pp[i].k, n); exit(1); }
    memcpy(pp[i].dst, a, sizeof(double) * n);
    free(a);
  }
  const char *h0 = after_key(P, "h0");
  if (h0) {
    double *a = parse_arr(h0, &n, &r, NULL);
    memcpy(cs->h0, a, sizeof(double) * cs->B * cs->H);
    free(a);
  }
  const char *q = bt ? bt : s;
  for (int sq = 0; sq < B; sq++) {
    q = need(q, inkey);
    double *a = parse_arr(q, &n, &r, &e);
    for (int i = 0; i < n; i++)
      if (cs->real) cs->x[(size_t)sq * T * cs->D + i] = a[i];
      else cs->tok[sq * T + i] = (int)a[i];
    free(a);
    q = need(bt ? e : s, "y");
    a = parse_arr(q, &n, &r, &e);
    for (int i = 0; i < n; i++) cs->y[sq * T + i] = (int)a[i];
    free(a);
    q = e;
  }
  free(s);
}

/* ---------- forward + backward ---------- */
static double *hs, *ps, *dy, *dh, *da, *dhn; /* workspaces, sized for B sequences */

static void alloc_work(const Case *cs) {
  size_t B = cs->B, H = cs->H, K = cs->K, T = cs->T;
  hs = xcalloc((T + 1) * B * H, 8); ps = xcalloc(T * B * K, 8);
  dy = xcalloc(B * K, 8); dh = xcalloc(B * H, 8); da = xcalloc(B * H, 8); dhn = xcalloc(B * H, 8);
}

static void zero_grads(const Case *cs, Grads *g) {
  memset(g->U, 0, sizeof(double) * cs->H * cs->D); memset(g->W, 0, sizeof(double) * cs->H * cs->H);
  memset(g->V, 0, sizeof(double) * cs->K * cs->H); memset(g->b, 0, sizeof(double) * cs->H);
  memset(g->c, 0, sizeof(double) * cs->K);
}

/* Forward + backward over all B sequences; for B = 1 this is the plain per-sequence
 * matrix-vector loop, for B > 1 each weight row is applied to all B states in turn. */
static double fwd_bwd(const Case *cs, Grads *g) {
  const int H = cs->H, D = cs->D, K = cs->K, T = cs->T, B = cs->B;
  const double *U = cs->U, *W = cs->W, *V = cs->V;
  double loss = 0.0;
  zero_grads(cs, g);
  memcpy(hs, cs->h0, sizeof(double) * B * H);
  for (int t = 0; t < T; t++) {
    const double *hp = hs + (size_t)t * B * H;
    double *h = hs + (size_t)(t + 1) * B * H, *p = ps + (size_t)t * B * K;
    for (int i = 0; i < H; i++) {
      const double *Wi = W + (size_t)i * H, *Ui = U + (size_t)i * D;
      for (int s = 0; s < B; s++) {
        const double *hps = hp + (size_t)s * H;
        double a = cs->b[i];
        if (cs->real) {
          const double *xs = cs->x + ((size_t)s * T + t) * D;
          for (int j = 0; j < D; j++) a += Ui[j] * xs[j];
        } else {
          a += Ui[cs->tok[s * T + t]];
        }
        for (int j = 0; j < H; j++) a += Wi[j] * hps[j];
        h[(size_t)s * H + i] = tanh(a);
      }
    }
    for (int k = 0; k < K; k++) {
      const double *Vk = V + (size_t)k * H;
      for (int s = 0; s < B; s++) {
        const double *hsq = h + (size_t)s * H;
        double o = cs->c[k];
        for (int j = 0; j < H; j++) o += Vk[j] * hsq[j];
        p[(size_t)s * K + k] = o;
      }
    }
    for (int s = 0; s < B; s++) { /* softmax + cross-entropy */
      double *ps_ = p + (size_t)s * K, m = ps_[0], z = 0.0;
      for (int k = 1; k < K; k++) if (ps_[k] > m) m = ps_[k];
      for (int k = 0; k < K; k++) z += (ps_[k] = exp(ps_[k] - m));
      for (int k = 0; k < K; k++) ps_[k] /= z;
      loss -= log(ps_[cs->y[s * T + t]]);
    }
  }
  memset(dhn, 0, sizeof(double) * B * H);
  for (int t = T - 1; t >= 0; t--) {
    const double *hp = hs + (size_t)t * B * H, *h = hs + (size_t)(t + 1) * B * H;
    const double *p = ps + (size_t)t * B * K;
    for (int s = 0; s < B; s++) {
      for (int k = 0; k < K; k++) dy[s * K + k] = p[(size_t)s * K + k];
      dy[s * K + cs->y[s * T + t]] -= 1.0;
    }
    for (int k = 0; k < K; k++) { /* dc += dy; dV += dy h^T */
      double *dVk = g->V + (size_t)k * H;
      for (int s = 0; s < B; s++) {
        const double d = dy[s * K + k], *hsq = h + (size_t)s * H;
        g->c[k] += d;
        for (int j = 0; j < H; j++) dVk[j] += d * hsq[j];
      }
    }
    for (int s = 0; s < B; s++) { /* dh = V^T dy + dhnext; da = (1 - h^2) dh */
      double *dhs = dh + (size_t)s * H;
      memcpy(dhs, dhn + (size_t)s * H, sizeof(double) * H);
      for (int k = 0; k < K; k++) {
        const double d = dy[s * K + k], *Vk = V + (size_t)k * H;
        for (int j = 0; j < H; j++) dhs[j] += Vk[j] * d;
      }
      for (int i = 0; i < H; i++) {
        const double hv = h[(size_t)s * H + i];
        da[(size_t)s * H + i] = (1.0 - hv * hv) * dhs[i];
      }
    }
    for (int i = 0; i < H; i++) { /* db += da; dW += da h(t-1)^T; dU += da x^T */
      double *dWi = g->W + (size_t)i * H, *dUi = g->U + (size_t)i * D;
      for (int s = 0; s < B; s++) {
        const double d = da[(size_t)s * H + i], *hps = hp + (size_t)s * H;
        g->b[i] += d;
        for (int j = 0; j < H; j++) dWi[j] += d * hps[j];
        if (cs->real) {
          const double *xs = cs->x + ((size_t)s * T + t) * D;
          for (int j = 0; j < D; j++) dUi[j] += d * xs[j];
        } else {
          dUi[cs->tok[s * T + t]] += d;
        }
      }
    }
    for (int s = 0; s < B; s++) { /* dhnext = W^T da */
      double *dn = dhn + (size_t)s * H;
      memset(dn, 0, sizeof(double) * H);
      for (int i = 0; i < H; i++) {
        const double d = da[(size_t)s * H + i], *Wi = W + (size_t)i * H;
        for (int j = 0; j < H; j++) dn[j] += Wi[j] * d;
      }
    }
  }
  memcpy(g->h0, dhn, sizeof(double) * B * H);
  return loss;
}

/* ---------- output ---------- */
static void put_vec(const double *v, int n) {
  putchar('[');
  for (int i = 0; i < n; i++) printf(i ? ",%.17g" : "%.17g", v[i]);
  putchar(']');
}
static void put_mat(const double *v, int r, int c) {
  putchar('[');
  for (int i = 0; i < r; i++) { if (i) putchar(','); put_vec(v + (size_t)i * c, c); }
  putchar(']');
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}
static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}
static double pct(const double *s, int n, double q) { /* linear interpolation, like numpy */
  double pos = q * (n - 1);
  int lo = (int)pos;
  return lo + 1 < n ? s[lo] + (s[lo + 1] - s[lo]) * (pos - lo) : s[n - 1];
}

int main(int argc, char **argv) {
  const char *grad = NULL, *casefile = NULL, *size = "S1";
  int timing = 0;
  uint32_t seed = 1;
  double target_ms = 1500.0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--grad") && i + 1 < argc) grad = argv[++i];
    else if (!strcmp(argv[i], "--time")) timing = 1;
    else if (!strcmp(argv[i], "--size") && i + 1 < argc) size = argv[++i];
    else if (!strcmp(argv[i], "--case") && i + 1 < argc) casefile = argv[++i];
    else if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed = (uint32_t)strtoul(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) target_ms = 1e3 * atof(argv[++i]);
    else {
      fprintf(stderr, "usage: c_loop --grad case.json | --time --size S1 [--case case.json] [--seed N] [--seconds 1.5]\n");
      return 2;
    }
  }
  Case cs = {0};
  if (grad) read_case(grad, &cs);
  else if (casefile) read_case(casefile, &cs);
  else if (!size_case(size, &cs)) { fprintf(stderr, "unknown size %s\n", size); return 2; }
  else gen_case(&cs, seed);
  Grads g = {xcalloc((size_t)cs.H * cs.D, 8), xcalloc((size_t)cs.H * cs.H, 8), xcalloc((size_t)cs.K * cs.H, 8),
             xcalloc(cs.H, 8), xcalloc(cs.K, 8), xcalloc((size_t)cs.B * cs.H, 8)};
  alloc_work(&cs);

  if (grad) {
    double loss = fwd_bwd(&cs, &g);
    printf("{\"loss\":%.17g,\"grads\":{\"U\":", loss);
    put_mat(g.U, cs.H, cs.D); printf(",\"W\":"); put_mat(g.W, cs.H, cs.H);
    printf(",\"V\":"); put_mat(g.V, cs.K, cs.H); printf(",\"b\":"); put_vec(g.b, cs.H);
    printf(",\"c\":"); put_vec(g.c, cs.K); printf(",\"h0\":");
    if (cs.batched) put_mat(g.h0, cs.B, cs.H); else put_vec(g.h0, cs.H);
    printf("}}\n");
    return 0;
  }
  if (!timing) { fprintf(stderr, "need --grad or --time\n"); return 2; }
  double loss = 0.0, t0 = now_ms();
  int warm = 0;
  while (warm < 3 || now_ms() - t0 < 300.0) { loss = fwd_bwd(&cs, &g); warm++; }
  int cap = 1 << 16, n = 0;
  double *ts = malloc(sizeof(double) * cap);
  t0 = now_ms();
  while ((n < 10 || now_ms() - t0 < target_ms) && n < cap) {
    double a = now_ms();
    fwd_bwd(&cs, &g);
    ts[n++] = now_ms() - a;
  }
  qsort(ts, n, sizeof(double), cmp_d);
  double med = pct(ts, n, 0.5);
  printf("{\"size\":\"%s\",\"engine\":\"c-loop\",\"msPerSequence\":%.6g,", size,
         cs.batched ? med / cs.B : med);
  if (cs.batched) printf("\"msPerBatch\":%.6g,\"batch\":%d,", med, cs.B);
  printf("\"runs\":%d,\"medianMs\":%.6g,\"p10Ms\":%.6g,\"p90Ms\":%.6g,\"loss\":%.17g,\"threads\":1,"
         "\"dtype\":\"float64\"}\n", n, med, pct(ts, n, 0.1), pct(ts, n, 0.9), loss);
  return 0;
}
