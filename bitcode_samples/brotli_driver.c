/* brotli_driver.c: a fixed workload for the Brotli library, linked with it by
 * `python3 bitcode_samples/build.py brotli` into <out>/brotli.bc.
 *
 * Generates four corpora (English-like text, JSON-ish records, structured
 * binary, random bytes), compresses them one-shot at several qualities,
 * windows and modes, streams them through the encoder with flushes and
 * metadata blocks and back through the decoder in small chunks, uses a
 * prepared raw dictionary on both sides, and decodes truncated and damaged
 * streams.  Prints sizes, CRC-32s and allocator statistics: deterministic,
 * the same at every optimisation level (no addresses, no time, no floats). */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <brotli/decode.h>
#include <brotli/encode.h>

/* --- checksums and deterministic data -------------------------------------- */

static uint32_t crc_table[256];

static void crc_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
}

static uint32_t crc32(const uint8_t *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  while (n--) c = crc_table[(c ^ *p++) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

static uint64_t rng_state;

static void rng_seed(uint64_t s) { rng_state = s ? s : 1; }

static uint32_t rng(void) { /* xorshift64* */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

static const char *const WORDS[] = {
    "the", "of", "and", "a", "to", "in", "is", "it", "that", "for", "as", "with",
    "compression", "brotli", "bitcode", "partition", "function", "module", "stream",
    "window", "quality", "dictionary", "huffman", "context", "literal", "distance",
    "copy", "insert", "block", "encoder", "decoder", "parallel", "linker", "symbol",
    "global", "constant", "metadata", "worker", "schedule", "critical", "path",
    "measure", "model", "predict", "compile", "time", "memory", "budget", "cache",
};
#define NWORDS (sizeof WORDS / sizeof WORDS[0])

typedef struct {
  uint8_t *data;
  size_t size, cap;
} Buf;

static void buf_put(Buf *b, const void *p, size_t n) {
  if (b->size + n > b->cap) {
    b->cap = (b->size + n) * 2 + 64;
    b->data = realloc(b->data, b->cap);
    if (!b->data) abort();
  }
  memcpy(b->data + b->size, p, n);
  b->size += n;
}

static void buf_str(Buf *b, const char *s) { buf_put(b, s, strlen(s)); }

static Buf make_text(size_t n) {
  Buf b = {0};
  rng_seed(1);
  int start = 1, in_sentence = 0;
  while (b.size < n) {
    /* Zipf-like choice: small indices far more often. */
    uint32_t r = rng() % (NWORDS * NWORDS);
    size_t w = 0;
    while (w + 1 < NWORDS && (w + 1) * (w + 1) <= r / NWORDS * 2) w++;
    w = (w * 7 + rng() % 3) % NWORDS;
    char word[32];
    snprintf(word, sizeof word, "%s", WORDS[w]);
    if (start) word[0] = (char)(word[0] - 'a' + 'A');
    if (in_sentence) buf_str(&b, " ");
    buf_str(&b, word);
    start = 0;
    in_sentence = 1;
    uint32_t p = rng() % 100;
    if (p < 6) {
      buf_str(&b, p < 4 ? "." : (p < 5 ? "?" : "!"));
      buf_str(&b, rng() % 5 == 0 ? "\n\n" : " ");
      start = 1;
      in_sentence = 0;
    } else if (p < 12) {
      buf_str(&b, ",");
    }
  }
  b.size = n;
  return b;
}

static Buf make_records(size_t n) {
  static const char *const TAGS[] = {"red", "green", "blue", "fast", "slow", "new", "old", "big"};
  Buf b = {0};
  rng_seed(2);
  for (unsigned id = 1; b.size < n; id++) {
    char line[256];
    uint32_t price = rng() % 100000;
    int len = snprintf(line, sizeof line,
                       "{\"id\": %u, \"name\": \"item-%05u\", \"price\": %u.%02u, \"qty\": %u, "
                       "\"tags\": [\"%s\", \"%s\"], \"ok\": %s}\n",
                       id, rng() % 50000, price / 100, price % 100, rng() % 1000,
                       TAGS[rng() % 8], TAGS[rng() % 8], (rng() & 1) ? "true" : "false");
    buf_put(&b, line, (size_t)len);
  }
  b.size = n;
  return b;
}

static Buf make_binary(size_t n) {
  Buf b = {0};
  rng_seed(3);
  int16_t sample = 0;
  while (b.size < n) {
    uint8_t chunk[512];
    switch (rng() % 4) {
      case 0: /* slowly varying 16-bit samples */
        for (int i = 0; i < 256; i++) {
          sample = (int16_t)(sample + (int16_t)(rng() % 65) - 32);
          chunk[2 * i] = (uint8_t)(sample & 0xFF);
          chunk[2 * i + 1] = (uint8_t)((uint16_t)sample >> 8);
        }
        break;
      case 1: /* runs */
        for (int i = 0; i < 512;) {
          uint8_t v = (uint8_t)rng();
          int len = 1 + (int)(rng() % 40);
          while (len-- && i < 512) chunk[i++] = v;
        }
        break;
      case 2: /* counters in little-endian 32-bit words */
        for (int i = 0; i < 128; i++) {
          uint32_t v = (uint32_t)(b.size / 4 + (size_t)i) * 3u;
          memcpy(chunk + 4 * i, &v, 4);
        }
        break;
      default: /* small alphabet noise */
        for (int i = 0; i < 512; i++) chunk[i] = (uint8_t)("ACGT"[rng() % 4]);
        break;
    }
    buf_put(&b, chunk, sizeof chunk);
  }
  b.size = n;
  return b;
}

static Buf make_random(size_t n) {
  Buf b = {0};
  rng_seed(4);
  while (b.size < n) {
    uint32_t v = rng();
    buf_put(&b, &v, 4);
  }
  b.size = n;
  return b;
}

/* --- a counting allocator -------------------------------------------------- */

typedef struct {
  size_t allocs, frees, live, peak;
} Stats;

static void *count_alloc(void *opaque, size_t size) {
  Stats *s = opaque;
  size_t *p = malloc(size + sizeof(size_t) * 2);
  if (!p) return NULL;
  p[0] = size;
  s->allocs++;
  s->live += size;
  if (s->live > s->peak) s->peak = s->live;
  return p + 2;
}

static void count_free(void *opaque, void *address) {
  Stats *s = opaque;
  if (!address) return;
  size_t *p = (size_t *)address - 2;
  s->frees++;
  s->live -= p[0];
  free(p);
}

/* --- one-shot ---------------------------------------------------------------- */

static const char *mode_name(BrotliEncoderMode m) {
  return m == BROTLI_MODE_TEXT ? "text" : m == BROTLI_MODE_FONT ? "font" : "generic";
}

static int failures;

static size_t one_shot(const char *name, const Buf *in, int q, int lgwin, BrotliEncoderMode mode) {
  size_t cap = BrotliEncoderMaxCompressedSize(in->size);
  if (cap == 0) cap = in->size + 1024;
  uint8_t *enc = malloc(cap);
  uint8_t *dec = malloc(in->size + 1);
  size_t enc_size = cap, dec_size = in->size + 1;
  if (!BrotliEncoderCompress(q, lgwin, mode, in->size, in->data, &enc_size, enc)) {
    printf("%-8s q=%-2d w=%-2d %-7s: compress FAILED\n", name, q, lgwin, mode_name(mode));
    failures++;
    free(enc);
    free(dec);
    return 0;
  }
  BrotliDecoderResult r = BrotliDecoderDecompress(enc_size, enc, &dec_size, dec);
  int ok = r == BROTLI_DECODER_RESULT_SUCCESS && dec_size == in->size &&
           memcmp(dec, in->data, in->size) == 0;
  failures += !ok;
  printf("%-8s q=%-2d w=%-2d %-7s: %6zu -> %6zu  crc %08x  %s\n", name, q, lgwin, mode_name(mode),
         in->size, enc_size, crc32(enc, enc_size), ok ? "roundtrip ok" : "ROUNDTRIP FAILED");
  free(enc);
  free(dec);
  return enc_size;
}

/* --- streaming ------------------------------------------------------------- */

typedef struct {
  int quality, lgwin, lgblock, large_window, npostfix, ndirect, disable_context;
  size_t chunk_in, chunk_out;
  int flush_every;   /* FLUSH after every Nth input chunk (0: never) */
  int metadata_at;   /* emit a metadata block before chunk N (0: never) */
  const uint8_t *dict;
  size_t dict_size;
} StreamOpts;

static Buf stream_encode(const Buf *in, const StreamOpts *o, Stats *st, int *calls) {
  BrotliEncoderState *s = BrotliEncoderCreateInstance(count_alloc, count_free, st);
  BrotliEncoderPreparedDictionary *pd = NULL;
  Buf out = {0};
  BrotliEncoderSetParameter(s, BROTLI_PARAM_QUALITY, (uint32_t)o->quality);
  BrotliEncoderSetParameter(s, BROTLI_PARAM_LGWIN, (uint32_t)o->lgwin);
  if (o->lgblock) BrotliEncoderSetParameter(s, BROTLI_PARAM_LGBLOCK, (uint32_t)o->lgblock);
  if (o->large_window) BrotliEncoderSetParameter(s, BROTLI_PARAM_LARGE_WINDOW, 1);
  if (o->npostfix || o->ndirect) {
    BrotliEncoderSetParameter(s, BROTLI_PARAM_NPOSTFIX, (uint32_t)o->npostfix);
    BrotliEncoderSetParameter(s, BROTLI_PARAM_NDIRECT, (uint32_t)o->ndirect);
  }
  if (o->disable_context) BrotliEncoderSetParameter(s, BROTLI_PARAM_DISABLE_LITERAL_CONTEXT_MODELING, 1);
  BrotliEncoderSetParameter(s, BROTLI_PARAM_SIZE_HINT, (uint32_t)in->size);
  if (o->dict) {
    pd = BrotliEncoderPrepareDictionary(BROTLI_SHARED_DICTIONARY_RAW, o->dict_size, o->dict,
                                        BROTLI_MAX_QUALITY, count_alloc, count_free, st);
    if (!pd || !BrotliEncoderAttachPreparedDictionary(s, pd)) {
      printf("  attaching the prepared dictionary FAILED\n");
      failures++;
    }
  }
  uint8_t *obuf = malloc(o->chunk_out);
  size_t pos = 0;
  int chunk = 0;
  static const uint8_t META[] = "pcodegen metadata block";
  for (;;) {
    chunk++;
    if (o->metadata_at && chunk == o->metadata_at) {
      size_t avail_in = sizeof META - 1;
      const uint8_t *next_in = META;
      do {
        size_t avail_out = o->chunk_out;
        uint8_t *next_out = obuf;
        if (!BrotliEncoderCompressStream(s, BROTLI_OPERATION_EMIT_METADATA, &avail_in, &next_in,
                                         &avail_out, &next_out, NULL)) {
          printf("  metadata FAILED\n");
          failures++;
          break;
        }
        (*calls)++;
        buf_put(&out, obuf, o->chunk_out - avail_out);
      } while (avail_in > 0 || BrotliEncoderHasMoreOutput(s));
    }
    size_t n = in->size - pos < o->chunk_in ? in->size - pos : o->chunk_in;
    int last = pos + n == in->size;
    BrotliEncoderOperation op = last ? BROTLI_OPERATION_FINISH
                                : (o->flush_every && chunk % o->flush_every == 0) ? BROTLI_OPERATION_FLUSH
                                                                                  : BROTLI_OPERATION_PROCESS;
    size_t avail_in = n;
    const uint8_t *next_in = in->data + pos;
    for (;;) {
      size_t avail_out = o->chunk_out;
      uint8_t *next_out = obuf;
      if (!BrotliEncoderCompressStream(s, op, &avail_in, &next_in, &avail_out, &next_out, NULL)) {
        printf("  compress stream FAILED\n");
        failures++;
        goto done;
      }
      (*calls)++;
      buf_put(&out, obuf, o->chunk_out - avail_out);
      if (avail_in == 0 && !BrotliEncoderHasMoreOutput(s)) {
        if (op != BROTLI_OPERATION_FINISH || BrotliEncoderIsFinished(s)) break;
      }
    }
    pos += n;
    if (last) break;
  }
done:
  free(obuf);
  BrotliEncoderDestroyInstance(s);
  if (pd) BrotliEncoderDestroyPreparedDictionary(pd);
  return out;
}

/* Decodes `in` feeding chunk_in bytes at a time into chunk_out-byte outputs;
 * returns the result code, the output in *out (at most `limit` bytes kept). */
static BrotliDecoderResult stream_decode(const uint8_t *in, size_t size, size_t chunk_in,
                                         size_t chunk_out, int large_window, const uint8_t *dict,
                                         size_t dict_size, size_t limit, Buf *out, Stats *st,
                                         int *more_in, int *more_out, const char **error) {
  BrotliDecoderState *s = BrotliDecoderCreateInstance(count_alloc, count_free, st);
  if (large_window) BrotliDecoderSetParameter(s, BROTLI_DECODER_PARAM_LARGE_WINDOW, 1);
  if (dict && !BrotliDecoderAttachDictionary(s, BROTLI_SHARED_DICTIONARY_RAW, dict_size, dict)) {
    printf("  decoder refused the dictionary\n");
    failures++;
  }
  uint8_t *obuf = malloc(chunk_out);
  size_t pos = 0, avail_in = 0;
  const uint8_t *next_in = in;
  BrotliDecoderResult r;
  *error = "";
  for (;;) {
    size_t avail_out = chunk_out;
    uint8_t *next_out = obuf;
    r = BrotliDecoderDecompressStream(s, &avail_in, &next_in, &avail_out, &next_out, NULL);
    size_t got = chunk_out - avail_out;
    int over = out->size + got > limit;
    if (!over) buf_put(out, obuf, got);
    if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
      (*more_out)++;
      if (over) break;
      continue;
    }
    if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) {
      (*more_in)++;
      if (pos == size) break; /* truncated */
      size_t n = size - pos < chunk_in ? size - pos : chunk_in;
      next_in = in + pos;
      avail_in = n;
      pos += n;
      continue;
    }
    break;
  }
  if (r == BROTLI_DECODER_RESULT_ERROR) *error = BrotliDecoderErrorString(BrotliDecoderGetErrorCode(s));
  free(obuf);
  BrotliDecoderDestroyInstance(s);
  return r;
}

static const char *result_name(BrotliDecoderResult r) {
  switch (r) {
    case BROTLI_DECODER_RESULT_SUCCESS: return "success";
    case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT: return "needs-more-input";
    case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT: return "needs-more-output";
    default: return "error";
  }
}

static void stream_roundtrip(const char *label, const Buf *in, const StreamOpts *o) {
  Stats est = {0}, dst = {0};
  int calls = 0, more_in = 0, more_out = 0;
  Buf enc = stream_encode(in, o, &est, &calls);
  Buf dec = {0};
  const char *err;
  BrotliDecoderResult r = stream_decode(enc.data, enc.size, o->chunk_in / 3 + 1, o->chunk_out / 2 + 1,
                                        o->large_window, o->dict, o->dict_size, in->size, &dec, &dst,
                                        &more_in, &more_out, &err);
  int ok = r == BROTLI_DECODER_RESULT_SUCCESS && dec.size == in->size &&
           memcmp(dec.data, in->data, in->size) == 0;
  failures += !ok;
  printf("%s: %zu -> %zu crc %08x, %d encoder calls, enc allocs %zu/%zu peak %zu; "
         "dec %s%s (%d more-input, %d more-output), allocs %zu/%zu peak %zu\n",
         label, in->size, enc.size, crc32(enc.data, enc.size), calls, est.allocs, est.frees, est.peak,
         ok ? "ok" : "FAILED ", ok ? "" : result_name(r), more_in, more_out, dst.allocs, dst.frees,
         dst.peak);
  free(enc.data);
  free(dec.data);
}

/* --- main ---------------------------------------------------------------------- */

int main(void) {
  crc_init();
  uint32_t ev = BrotliEncoderVersion(), dv = BrotliDecoderVersion();
  printf("brotli encoder %u.%u.%u, decoder %u.%u.%u\n", ev >> 24, (ev >> 12) & 0xFFF, ev & 0xFFF,
         dv >> 24, (dv >> 12) & 0xFFF, dv & 0xFFF);

  Buf text = make_text(96 * 1024), records = make_records(64 * 1024);
  Buf binary = make_binary(64 * 1024), random = make_random(16 * 1024);
  printf("corpora: text %zu crc %08x, records %zu crc %08x, binary %zu crc %08x, random %zu crc %08x\n",
         text.size, crc32(text.data, text.size), records.size, crc32(records.data, records.size),
         binary.size, crc32(binary.data, binary.size), random.size, crc32(random.data, random.size));
  printf("first record: %.*s", (int)(strchr((char *)records.data, '\n') - (char *)records.data + 1),
         (char *)records.data);
  printf("text starts: %.60s\n", (char *)text.data);

  puts("-- one-shot, qualities");
  static const int QS[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  for (size_t i = 0; i < sizeof QS / sizeof QS[0]; i++) one_shot("text", &text, QS[i], 22, BROTLI_MODE_GENERIC);
  static const int QS2[] = {0, 1, 4, 6, 9, 11};
  for (size_t i = 0; i < sizeof QS2 / sizeof QS2[0]; i++) {
    one_shot("records", &records, QS2[i], 22, BROTLI_MODE_GENERIC);
    one_shot("binary", &binary, QS2[i] == 11 ? 10 : QS2[i], 22, BROTLI_MODE_GENERIC);
  }
  one_shot("random", &random, 1, 22, BROTLI_MODE_GENERIC);
  one_shot("random", &random, 9, 22, BROTLI_MODE_GENERIC);

  puts("-- one-shot, windows and modes");
  static const int WS[] = {10, 12, 16, 18, 24};
  for (size_t i = 0; i < sizeof WS / sizeof WS[0]; i++) one_shot("text", &text, 6, WS[i], BROTLI_MODE_GENERIC);
  one_shot("text", &text, 5, 22, BROTLI_MODE_TEXT);
  one_shot("text", &text, 10, 18, BROTLI_MODE_TEXT);
  one_shot("binary", &binary, 9, 20, BROTLI_MODE_FONT);
  one_shot("records", &records, 10, 16, BROTLI_MODE_TEXT);

  puts("-- edge cases");
  Buf empty = {(uint8_t *)"", 0, 0}, one = {(uint8_t *)"x", 1, 0};
  one_shot("empty", &empty, 0, 22, BROTLI_MODE_GENERIC);
  one_shot("empty", &empty, 11, 22, BROTLI_MODE_GENERIC);
  one_shot("one", &one, 5, 10, BROTLI_MODE_GENERIC);
  Buf zeros = {calloc(200000, 1), 200000, 0};
  one_shot("zeros", &zeros, 1, 22, BROTLI_MODE_GENERIC);
  one_shot("zeros", &zeros, 11, 24, BROTLI_MODE_GENERIC);

  puts("-- streaming");
  StreamOpts so = {.quality = 7, .lgwin = 20, .lgblock = 16, .chunk_in = 3000, .chunk_out = 1024,
                   .flush_every = 4, .metadata_at = 3};
  stream_roundtrip("text q7 flush+meta", &text, &so);
  StreamOpts s1 = {.quality = 1, .lgwin = 18, .chunk_in = 4096, .chunk_out = 700, .flush_every = 2};
  stream_roundtrip("binary q1 flush", &binary, &s1);
  StreamOpts s0 = {.quality = 0, .lgwin = 16, .chunk_in = 1000, .chunk_out = 333};
  stream_roundtrip("records q0", &records, &s0);
  StreamOpts s4 = {.quality = 4, .lgwin = 25, .large_window = 1, .chunk_in = 8192, .chunk_out = 4096};
  stream_roundtrip("text q4 large-window", &text, &s4);
  StreamOpts s9 = {.quality = 9, .lgwin = 22, .npostfix = 2, .ndirect = 12, .chunk_in = 16384,
                   .chunk_out = 2048};
  stream_roundtrip("records q9 npostfix/ndirect", &records, &s9);
  StreamOpts s5 = {.quality = 5, .lgwin = 22, .disable_context = 1, .chunk_in = 5000, .chunk_out = 900};
  stream_roundtrip("text q5 no-context", &text, &s5);
  StreamOpts s11 = {.quality = 11, .lgwin = 20, .chunk_in = 32768, .chunk_out = 8192, .flush_every = 1};
  stream_roundtrip("binary q11 flush-each", &binary, &s11);

  puts("-- prepared dictionary");
  Buf later = {records.data + 16384, records.size - 16384, 0};
  static const int DQ[] = {3, 6, 9, 11};
  for (size_t i = 0; i < sizeof DQ / sizeof DQ[0]; i++) {
    char label[64];
    StreamOpts plain = {.quality = DQ[i], .lgwin = 22, .chunk_in = 8192, .chunk_out = 4096};
    StreamOpts dict = plain;
    dict.dict = records.data;
    dict.dict_size = 16384;
    snprintf(label, sizeof label, "records q%d no dict", DQ[i]);
    stream_roundtrip(label, &later, &plain);
    snprintf(label, sizeof label, "records q%d with dict", DQ[i]);
    stream_roundtrip(label, &later, &dict);
  }
  {
    /* A stream made with the dictionary, decoded without it. */
    StreamOpts dict = {.quality = 6, .lgwin = 22, .chunk_in = 8192, .chunk_out = 4096,
                       .dict = records.data, .dict_size = 16384};
    Stats st = {0};
    int calls = 0, mi = 0, mo = 0;
    Buf enc = stream_encode(&later, &dict, &st, &calls);
    Buf dec = {0};
    const char *err;
    BrotliDecoderResult r = stream_decode(enc.data, enc.size, 4096, 4096, 0, NULL, 0, later.size, &dec,
                                          &st, &mi, &mo, &err);
    printf("dict stream without dict: %s %s, %zu bytes out\n", result_name(r), err, dec.size);
    free(enc.data);
    free(dec.data);
  }

  puts("-- damaged streams");
  {
    size_t cap = BrotliEncoderMaxCompressedSize(text.size);
    uint8_t *enc = malloc(cap);
    size_t enc_size = cap;
    BrotliEncoderCompress(9, 22, BROTLI_MODE_GENERIC, text.size, text.data, &enc_size, enc);
    static const size_t CUTS[] = {0, 1, 2, 17, 1000};
    for (size_t i = 0; i < sizeof CUTS / sizeof CUTS[0]; i++) {
      Stats st = {0};
      int mi = 0, mo = 0;
      Buf dec = {0};
      const char *err;
      size_t n = CUTS[i] < 3 ? CUTS[i] : enc_size / CUTS[i];
      BrotliDecoderResult r = stream_decode(enc, n, 512, 4096, 0, NULL, 0, text.size, &dec, &st, &mi, &mo, &err);
      printf("truncated to %5zu: %s%s%s, %zu bytes out crc %08x\n", n, result_name(r), *err ? " " : "", err,
             dec.size, crc32(dec.data, dec.size));
      free(dec.data);
    }
    uint8_t *bad = malloc(enc_size);
    for (int k = 0; k < 12; k++) {
      memcpy(bad, enc, enc_size);
      size_t at = (size_t)k * 997 % enc_size;
      bad[at] ^= (uint8_t)(1u << (k % 8));
      Stats st = {0};
      int mi = 0, mo = 0;
      Buf dec = {0};
      const char *err;
      BrotliDecoderResult r = stream_decode(bad, enc_size, 4096, 8192, 0, NULL, 0, text.size + 4096, &dec, &st,
                                            &mi, &mo, &err);
      printf("bit %d flipped at %5zu: %s%s%s, %zu bytes out crc %08x\n", k % 8, at, result_name(r),
             *err ? " " : "", err, dec.size, crc32(dec.data, dec.size));
      free(dec.data);
    }
    /* trailing garbage after a complete stream */
    uint8_t *tail = malloc(enc_size + 4);
    memcpy(tail, enc, enc_size);
    memcpy(tail + enc_size, "JUNK", 4);
    size_t dec_size = text.size;
    uint8_t *dec = malloc(dec_size);
    BrotliDecoderResult r = BrotliDecoderDecompress(enc_size + 4, tail, &dec_size, dec);
    printf("trailing junk: %s\n", result_name(r));
    dec_size = text.size / 2;
    r = BrotliDecoderDecompress(enc_size, enc, &dec_size, dec);
    printf("short output buffer: %s\n", result_name(r));
    free(dec);
    free(tail);
    free(bad);
    free(enc);
  }

  printf("estimated peak memory q11 w22 96K: %zu, q5 w18: %zu, q1 w16: %zu\n",
         BrotliEncoderEstimatePeakMemoryUsage(11, 22, text.size),
         BrotliEncoderEstimatePeakMemoryUsage(5, 18, text.size),
         BrotliEncoderEstimatePeakMemoryUsage(1, 16, text.size));
  printf("failures: %d\n", failures);
  free(text.data);
  free(records.data);
  free(binary.data);
  free(random.data);
  free(zeros.data);
  return failures != 0;
}
