/*
 * glibc 2.36's log() as it runs on x86_64 with FMA (__log_fma), bit for bit: the port of
 * src/engine/rng/glibcLog.ts's glibcLogExact (which documents where every instruction and
 * constant comes from), with each fused multiply-add a C fma(), correctly rounded by the C
 * standard whatever the CPU. Everything else is a plain IEEE double operation; the file is
 * compiled with -std=c11 -ffp-contract=off, so the compiler fuses nothing on its own.
 *
 * numpy's legacy Gaussians need it for their factors sqrt(-2 log(r2) / r2) (numpyRandomState.ts):
 * here a block of them is one call.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "glibcLog.h"

/* __log_data.tab (invc, logc), 128 entries: the values of glibcLogTable.ts, as hex floats. */
static const double TAB[128][2] = {
  {0x1.734f0c3e0de9fp+0, -0x1.7cc7f79e69000p-2}, /* 0 */
  {0x1.713786a2ce91fp+0, -0x1.76feec20d0000p-2}, /* 1 */
  {0x1.6f26008fab5a0p+0, -0x1.713e31351e000p-2}, /* 2 */
  {0x1.6d1a61f138c7dp+0, -0x1.6b85b38287800p-2}, /* 3 */
  {0x1.6b1490bc5b4d1p+0, -0x1.65d5590807800p-2}, /* 4 */
  {0x1.69147332f0cbap+0, -0x1.602d076180000p-2}, /* 5 */
  {0x1.6719f18224223p+0, -0x1.5a8ca86909000p-2}, /* 6 */
  {0x1.6524f99a51ed9p+0, -0x1.54f4356035000p-2}, /* 7 */
  {0x1.63356aa8f24c4p+0, -0x1.4f637c36b4000p-2}, /* 8 */
  {0x1.614b36b9ddc14p+0, -0x1.49da7fda85000p-2}, /* 9 */
  {0x1.5f66452c65c4cp+0, -0x1.445923989a800p-2}, /* 10 */
  {0x1.5d867b5912c4fp+0, -0x1.3edf439b0b800p-2}, /* 11 */
  {0x1.5babccb5b90dep+0, -0x1.396ce448f7000p-2}, /* 12 */
  {0x1.59d61f2d91a78p+0, -0x1.3401e17bda000p-2}, /* 13 */
  {0x1.5805612465687p+0, -0x1.2e9e2ef468000p-2}, /* 14 */
  {0x1.56397cee76bd3p+0, -0x1.2941b3830e000p-2}, /* 15 */
  {0x1.54725e2a77f93p+0, -0x1.23ec58cda8800p-2}, /* 16 */
  {0x1.52aff42064583p+0, -0x1.1e9e129279000p-2}, /* 17 */
  {0x1.50f22dbb2bddfp+0, -0x1.1956d2b48f800p-2}, /* 18 */
  {0x1.4f38f4734ded7p+0, -0x1.141679ab9f800p-2}, /* 19 */
  {0x1.4d843cfde2840p+0, -0x1.0edd094ef9800p-2}, /* 20 */
  {0x1.4bd3ec078a3c8p+0, -0x1.09aa518db1000p-2}, /* 21 */
  {0x1.4a27fc3e0258ap+0, -0x1.047e65263b800p-2}, /* 22 */
  {0x1.4880524d48434p+0, -0x1.feb224586f000p-3}, /* 23 */
  {0x1.46dce1b192d0bp+0, -0x1.f474a7517b000p-3}, /* 24 */
  {0x1.453d9d3391854p+0, -0x1.ea4443d103000p-3}, /* 25 */
  {0x1.43a2744b4845ap+0, -0x1.e020d44e9b000p-3}, /* 26 */
  {0x1.420b54115f8fbp+0, -0x1.d60a22977f000p-3}, /* 27 */
  {0x1.40782da3ef4b1p+0, -0x1.cc00104959000p-3}, /* 28 */
  {0x1.3ee8f5d57fe8fp+0, -0x1.c202956891000p-3}, /* 29 */
  {0x1.3d5d9a00b4ce9p+0, -0x1.b81178d811000p-3}, /* 30 */
  {0x1.3bd60c010c12bp+0, -0x1.ae2c9ccd3d000p-3}, /* 31 */
  {0x1.3a5242b75dab8p+0, -0x1.a45402e129000p-3}, /* 32 */
  {0x1.38d22cd9fd002p+0, -0x1.9a877681df000p-3}, /* 33 */
  {0x1.3755bc5847a1cp+0, -0x1.90c6d69483000p-3}, /* 34 */
  {0x1.35dce49ad36e2p+0, -0x1.87120a645c000p-3}, /* 35 */
  {0x1.34679984dd440p+0, -0x1.7d68fb4143000p-3}, /* 36 */
  {0x1.32f5cceffcb24p+0, -0x1.73cb83c627000p-3}, /* 37 */
  {0x1.3187775a10d49p+0, -0x1.6a39a9b376000p-3}, /* 38 */
  {0x1.301c8373e3990p+0, -0x1.60b3154b7a000p-3}, /* 39 */
  {0x1.2eb4ebb95f841p+0, -0x1.5737d76243000p-3}, /* 40 */
  {0x1.2d50a0219a9d1p+0, -0x1.4dc7b8fc23000p-3}, /* 41 */
  {0x1.2bef9a8b7fd2ap+0, -0x1.4462c51d20000p-3}, /* 42 */
  {0x1.2a91c7a0c1babp+0, -0x1.3b08abc830000p-3}, /* 43 */
  {0x1.293726014b530p+0, -0x1.31b996b490000p-3}, /* 44 */
  {0x1.27dfa5757a1f5p+0, -0x1.2875490a44000p-3}, /* 45 */
  {0x1.268b39b1d3bbfp+0, -0x1.1f3b9f879a000p-3}, /* 46 */
  {0x1.2539d838ff5bdp+0, -0x1.160c8252ca000p-3}, /* 47 */
  {0x1.23eb7aac9083bp+0, -0x1.0ce7f57f72000p-3}, /* 48 */
  {0x1.22a012ba940b6p+0, -0x1.03cdc49fea000p-3}, /* 49 */
  {0x1.2157996cc4132p+0, -0x1.f57bdbc4b8000p-4}, /* 50 */
  {0x1.201201dd2fc9bp+0, -0x1.e370896404000p-4}, /* 51 */
  {0x1.1ecf4494d480bp+0, -0x1.d17983ef94000p-4}, /* 52 */
  {0x1.1d8f5528f6569p+0, -0x1.bf9674ed8a000p-4}, /* 53 */
  {0x1.1c52311577e7cp+0, -0x1.adc79202f6000p-4}, /* 54 */
  {0x1.1b17c74cb26e9p+0, -0x1.9c0c3e7288000p-4}, /* 55 */
  {0x1.19e010c2c1ab6p+0, -0x1.8a646b372c000p-4}, /* 56 */
  {0x1.18ab07bb670bdp+0, -0x1.78d01b3ac0000p-4}, /* 57 */
  {0x1.1778a25efbcb6p+0, -0x1.674f145380000p-4}, /* 58 */
  {0x1.1648d354c31dap+0, -0x1.55e0e6d878000p-4}, /* 59 */
  {0x1.151b990275fddp+0, -0x1.4485cdea1e000p-4}, /* 60 */
  {0x1.13f0ea432d24cp+0, -0x1.333d94d6aa000p-4}, /* 61 */
  {0x1.12c8b7210f9dap+0, -0x1.22079f8c56000p-4}, /* 62 */
  {0x1.11a3028ecb531p+0, -0x1.10e4698622000p-4}, /* 63 */
  {0x1.107fbda8434afp+0, -0x1.ffa6c6ad20000p-5}, /* 64 */
  {0x1.0f5ee0f4e6bb3p+0, -0x1.dda8d4a774000p-5}, /* 65 */
  {0x1.0e4065d2a9fcep+0, -0x1.bbcece4850000p-5}, /* 66 */
  {0x1.0d244632ca521p+0, -0x1.9a1894012c000p-5}, /* 67 */
  {0x1.0c0a77ce2981ap+0, -0x1.788583302c000p-5}, /* 68 */
  {0x1.0af2f83c636d1p+0, -0x1.5715e67d68000p-5}, /* 69 */
  {0x1.09ddb98a01339p+0, -0x1.35c8a49658000p-5}, /* 70 */
  {0x1.08cabaf52e7dfp+0, -0x1.149e364154000p-5}, /* 71 */
  {0x1.07b9f2f4e28fbp+0, -0x1.e72c082eb8000p-6}, /* 72 */
  {0x1.06ab58c358f19p+0, -0x1.a55f152528000p-6}, /* 73 */
  {0x1.059eea5ecf92cp+0, -0x1.63d62cf818000p-6}, /* 74 */
  {0x1.04949cdd12c90p+0, -0x1.228fb8caa0000p-6}, /* 75 */
  {0x1.038c6c6f0ada9p+0, -0x1.c317b20f90000p-7}, /* 76 */
  {0x1.02865137932a9p+0, -0x1.419355daa0000p-7}, /* 77 */
  {0x1.0182427ea7348p+0, -0x1.81203c2ec0000p-8}, /* 78 */
  {0x1.008040614b195p+0, -0x1.0040979240000p-9}, /* 79 */
  {0x1.fe01ff726fa1ap-1, 0x1.feff384900000p-9}, /* 80 */
  {0x1.fa11cc261ea74p-1, 0x1.7dc41353d0000p-7}, /* 81 */
  {0x1.f6310b081992ep-1, 0x1.3cea3c4c28000p-6}, /* 82 */
  {0x1.f25f63ceeadcdp-1, 0x1.b9fc114890000p-6}, /* 83 */
  {0x1.ee9c8039113e7p-1, 0x1.1b0d8ce110000p-5}, /* 84 */
  {0x1.eae8078cbb1abp-1, 0x1.58a5bd001c000p-5}, /* 85 */
  {0x1.e741aa29d0c9bp-1, 0x1.95c8340d88000p-5}, /* 86 */
  {0x1.e3a91830a99b5p-1, 0x1.d276aef578000p-5}, /* 87 */
  {0x1.e01e009609a56p-1, 0x1.07598e598c000p-4}, /* 88 */
  {0x1.dca01e577bb98p-1, 0x1.253f5e30d2000p-4}, /* 89 */
  {0x1.d92f20b7c9103p-1, 0x1.42edd8b380000p-4}, /* 90 */
  {0x1.d5cac66fb5ccep-1, 0x1.606598757c000p-4}, /* 91 */
  {0x1.d272caa5ede9dp-1, 0x1.7da76356a0000p-4}, /* 92 */
  {0x1.cf26e3e6b2ccdp-1, 0x1.9ab434e1c6000p-4}, /* 93 */
  {0x1.cbe6da2a77902p-1, 0x1.b78c7bb0d6000p-4}, /* 94 */
  {0x1.c8b266d37086dp-1, 0x1.d431332e72000p-4}, /* 95 */
  {0x1.c5894bd5d5804p-1, 0x1.f0a3171de6000p-4}, /* 96 */
  {0x1.c26b533bb9f8cp-1, 0x1.067152b914000p-3}, /* 97 */
  {0x1.bf583eeece73fp-1, 0x1.147858292b000p-3}, /* 98 */
  {0x1.bc4fd75db96c1p-1, 0x1.2266ecdca3000p-3}, /* 99 */
  {0x1.b951e0c864a28p-1, 0x1.303d7a6c55000p-3}, /* 100 */
  {0x1.b65e2c5ef3e2cp-1, 0x1.3dfc33c331000p-3}, /* 101 */
  {0x1.b374867c9888bp-1, 0x1.4ba366b7a8000p-3}, /* 102 */
  {0x1.b094b211d304ap-1, 0x1.5933928d1f000p-3}, /* 103 */
  {0x1.adbe885f2ef7ep-1, 0x1.66acd2418f000p-3}, /* 104 */
  {0x1.aaf1d31603da2p-1, 0x1.740f8ec669000p-3}, /* 105 */
  {0x1.a82e63fd358a7p-1, 0x1.815c0f51af000p-3}, /* 106 */
  {0x1.a5740ef09738bp-1, 0x1.8e92954f68000p-3}, /* 107 */
  {0x1.a2c2a90ab4b27p-1, 0x1.9bb3602f84000p-3}, /* 108 */
  {0x1.a01a01393f2d1p-1, 0x1.a8bed1c2c0000p-3}, /* 109 */
  {0x1.9d79f24db3c1bp-1, 0x1.b5b515c01d000p-3}, /* 110 */
  {0x1.9ae2505c7b190p-1, 0x1.c2967ccbcc000p-3}, /* 111 */
  {0x1.9852ef297ce2fp-1, 0x1.cf635d5486000p-3}, /* 112 */
  {0x1.95cbaeea44b75p-1, 0x1.dc1bd3446c000p-3}, /* 113 */
  {0x1.934c69de74838p-1, 0x1.e8c01b8cfe000p-3}, /* 114 */
  {0x1.90d4f2f6752e6p-1, 0x1.f5509c0179000p-3}, /* 115 */
  {0x1.8e6528effd79dp-1, 0x1.00e6c121fb800p-2}, /* 116 */
  {0x1.8bfce9fcc007cp-1, 0x1.071b80e93d000p-2}, /* 117 */
  {0x1.899c0dabec30ep-1, 0x1.0d46b9e867000p-2}, /* 118 */
  {0x1.87427aa2317fbp-1, 0x1.13687334bd000p-2}, /* 119 */
  {0x1.84f00acb39a08p-1, 0x1.1980d67234800p-2}, /* 120 */
  {0x1.82a49e8653e55p-1, 0x1.1f8ffe0cc8000p-2}, /* 121 */
  {0x1.8060195f40260p-1, 0x1.2595fd7636800p-2}, /* 122 */
  {0x1.7e22563e0a329p-1, 0x1.2b9300914a800p-2}, /* 123 */
  {0x1.7beb377dcb5adp-1, 0x1.3187210436000p-2}, /* 124 */
  {0x1.79baa679725c2p-1, 0x1.377266dec1800p-2}, /* 125 */
  {0x1.77907f2170657p-1, 0x1.3d54ffbaf3000p-2}, /* 126 */
  {0x1.756cadbd6130cp-1, 0x1.432eee32fe000p-2}, /* 127 */
};

static const double LN2HI = 0x1.62e42fefa3800p-1, LN2LO = 0x1.ef35793c76730p-45;
static const double A0 = -0x1.0000000000001p-1, A1 = 0x1.555555551305bp-2, A2 = -0x1.fffffffeb4590p-3,
                    A3 = 0x1.999b324f10111p-3, A4 = -0x1.55575e506c89fp-3;
static const double B0 = -0x1p-1, B1 = 0x1.5555555555577p-2, B2 = -0x1.ffffffffffdcbp-3, B3 = 0x1.999999995dd0cp-3,
                    B4 = -0x1.55555556745a7p-3, B5 = 0x1.24924a344de30p-3, B6 = -0x1.fffffa4423d65p-4,
                    B7 = 0x1.c7184282ad6cap-4, B8 = -0x1.999eb43b068ffp-4, B9 = 0x1.78182f7afd085p-4,
                    B10 = -0x1.5521375d145cdp-4;

static uint64_t bits(double x) {
  uint64_t u;
  memcpy(&u, &x, sizeof u);
  return u;
}

static double from_bits(uint64_t u) {
  double x;
  memcpy(&x, &u, sizeof x);
  return x;
}

/* Inlined into each entry point below, so that on x86_64 the FMA one compiles fma() to vfmadd. */
#define INLINE static inline __attribute__((always_inline))

/* Near-1 path, x in [1 - 0x1p-4, 1 + 0x1.09p-4), x != 1. */
INLINE double log_near1(double x) {
  const double r = x - 1.0;
  const double r2 = r * r;
  double p2 = fma(r, B2, B1);
  double p5 = fma(r, B5, B4);
  const double p8 = fma(r, B8, B7);
  p2 = fma(r2, B3, p2);
  p5 = fma(r2, B6, p5);
  const double r3 = r * r2;
  double p = fma(r2, B9, p8);
  p = fma(r3, B10, p);
  p = fma(p, r3, p5);
  p = fma(p, r3, p2);
  /* The binary fuses these three too, but each product is exact (by 2^27 or by B0 = -0.5). */
  const double w = r * 0x1p27;
  const double rhi = r + w - w;
  const double rlo = r - rhi;
  const double rr = rhi * rhi * B0;
  const double hi = r + rr;
  double lo = r - hi + rr;
  lo = fma(B0 * rlo, rhi + r, lo);
  const double y = fma(p, r3, lo);
  return hi + y;
}

/* Table path for the bit pattern ix (which may come from a normalised subnormal). */
INLINE double log_table(uint64_t ix) {
  const uint64_t OFF = 0x3fe6000000000000ULL;
  const uint64_t tmp = ix - OFF;
  const int i = (int)((tmp >> 45) % 128);
  const int k = (int)((int64_t)tmp >> 52);
  const double z = from_bits(ix - (tmp & 0xfffULL << 52));
  const double invc = TAB[i][0], logc = TAB[i][1];
  const double w = (double)k * LN2HI + logc; /* k*ln2hi is exact: one rounding, as the fused one */
  const double r = fma(z, invc, -1.0);
  const double q1 = fma(r, A2, A1);
  const double hi = r + w;
  const double r2 = r * r;
  double lo = w - hi + r;
  lo = fma((double)k, LN2LO, lo);
  const double r3 = r * r2;
  double q = fma(r, A4, A3);
  lo = fma(r2, A0, lo);
  q = fma(q, r2, q1);
  const double y = fma(r3, q, lo);
  return y + hi;
}

INLINE double glibc_log(double x) {
  const uint64_t ix = bits(x);
  if (ix - 0x3fee000000000000ULL < 0x0003090000000000ULL) return x == 1.0 ? 0.0 : log_near1(x);
  const uint32_t top = (uint32_t)(ix >> 48);
  if (top - 0x0010u <= 0x7fdfu) return log_table(ix);
  if (x == 0.0) return -INFINITY;
  if (x == INFINITY) return INFINITY;
  if (x != x || (top & 0x8000u) != 0) return NAN;
  /* Subnormal: normalise with x * 2^52 (exact), then take 52 off the exponent. */
  return log_table(bits(x * 0x1p52) - (52ULL << 52));
}

static void polar_factors(size_t n, const double *points, double *factors) {
  for (size_t i = 0; i < n; i++) {
    const double r2 = points[3 * i + 2];
    factors[i] = sqrt(-2.0 * glibc_log(r2) / r2);
  }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* The same code with the FMA instructions (a CPU without them calls libm's fma(), also exact). */
__attribute__((target("fma"))) static double glibc_log_fma(double x) { return glibc_log(x); }
__attribute__((target("fma"))) static void polar_factors_fma(size_t n, const double *points, double *factors) {
  for (size_t i = 0; i < n; i++) {
    const double r2 = points[3 * i + 2];
    factors[i] = sqrt(-2.0 * glibc_log(r2) / r2);
  }
}
static int has_fma(void) {
  static int known = -1;
  if (known < 0) known = __builtin_cpu_supports("fma") ? 1 : 0;
  return known;
}
#else
static double glibc_log_fma(double x) { return glibc_log(x); }
static void polar_factors_fma(size_t n, const double *points, double *factors) { polar_factors(n, points, factors); }
static int has_fma(void) { return 0; }
#endif

double seq_glibc_log(double x) { return has_fma() ? glibc_log_fma(x) : glibc_log(x); }

void seq_polar_factors(size_t n, const double *points, double *factors) {
  if (has_fma()) polar_factors_fma(n, points, factors);
  else polar_factors(n, points, factors);
}
