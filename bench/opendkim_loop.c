/* opendkim_loop: the floor for DKIM verification speed with libopendkim.
 *
 * Verifies every message of an mbox (or one .eml) in process, single-threaded, with keys served
 * from an in-memory table loaded from a zone file through dkim_set_key_lookup: no DNS, no JSON,
 * no per-signature reporting beyond counting. authscope-dkim is benchmarked against this.
 *
 *   opendkim_loop [-v] [-t N] ZONE FILE
 * prints "messages N pass P fail F none Z tempfail T" on stdout (-v: one line per message on stderr).
 * A message passes when at least one signature verifies (signature and body hash).
 * -t N: N threads verify (one DKIM_LIB, as libopendkim allows), fed by the reading thread through a
 * bounded queue: what libopendkim and OpenSSL give threads of one process, for comparison with
 * authscope's worker processes.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <opendkim/dkim.h>

struct key {
    char *name;   /* lower case, no trailing dot */
    char *txt;    /* the TXT strings concatenated; NULL for a SERVFAIL directive */
};

static struct key *keys;
static size_t nkeys;

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

static void add_key(const char *name, size_t len, char *txt)
{
    keys = realloc(keys, (nkeys + 1) * sizeof *keys);
    if (keys == NULL) {
        perror("realloc");
        exit(3);
    }
    if (len > 0 && name[len - 1] == '.')
        len--;
    keys[nkeys].name = strndup(name, len);
    lower(keys[nkeys].name);
    keys[nkeys].txt = txt;
    nkeys++;
}

/* Reads the TXT records ("NAME [TTL] IN TXT "s1" "s2"...", one a line) and the
 * ";; authscope: SERVFAIL NAME TXT" directives of a zone file. */
static void load_zone(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        exit(3);
    }
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        char name[512];
        if (sscanf(line, ";; authscope: SERVFAIL %511s", name) == 1) {
            add_key(name, strlen(name), NULL);
            continue;
        }
        if (line[0] == ';' || isspace((unsigned char)line[0]))
            continue;
        char *p = strstr(line, " TXT ");
        if (p == NULL)
            p = strstr(line, "\tTXT\t");
        if (p == NULL)
            continue;
        size_t nlen = strcspn(line, " \t");
        char *txt = calloc(1, strlen(p) + 1);
        char *o = txt;
        bool in = false;
        for (p += 5; *p; p++) {
            if (*p == '"')
                in = !in;
            else if (in && *p == '\\' && p[1])
                *o++ = *++p;
            else if (in)
                *o++ = *p;
        }
        add_key(line, nlen, txt);
    }
    free(line);
    fclose(f);
}

/* dkim_set_key_lookup callback: the key record for selector._domainkey.domain. */
static DKIM_CBSTAT key_lookup(DKIM *dkim, DKIM_SIGINFO *sig, unsigned char *buf, size_t buflen)
{
    (void)dkim;
    char name[600];
    snprintf(name, sizeof name, "%s._domainkey.%s", dkim_sig_getselector(sig),
             dkim_sig_getdomain(sig));
    lower(name);
    for (size_t i = 0; i < nkeys; i++) {
        if (strcmp(keys[i].name, name) != 0)
            continue;
        if (keys[i].txt == NULL)
            return DKIM_CBSTAT_TRYAGAIN;
        if (strlen(keys[i].txt) >= buflen)
            return DKIM_CBSTAT_ERROR;
        strcpy((char *)buf, keys[i].txt);
        return DKIM_CBSTAT_CONTINUE;
    }
    return DKIM_CBSTAT_NOTFOUND;
}

struct counts {
    unsigned long messages, pass, fail, none, tempfail;
};

static bool verbose;

/* Verifies one message (CRLF line ends). */
static void verify(DKIM_LIB *lib, unsigned char *msg, size_t len, struct counts *c)
{
    DKIM_STAT st;
    c->messages++;
    DKIM *dkim = dkim_verify(lib, (const unsigned char *)"bench", NULL, &st);
    if (dkim == NULL) {
        fprintf(stderr, "dkim_verify: %s\n", dkim_getresultstr(st));
        exit(3);
    }
    st = dkim_chunk(dkim, msg, len);
    if (st == DKIM_STAT_OK)
        st = dkim_chunk(dkim, NULL, 0);
    if (st == DKIM_STAT_OK)
        st = dkim_eom(dkim, NULL);
    DKIM_SIGINFO **sigs = NULL;
    int nsigs = 0;
    bool pass = false, temp = false;
    if (dkim_getsiglist(dkim, &sigs, &nsigs) == DKIM_STAT_OK) {
        for (int i = 0; i < nsigs; i++) {
            if ((dkim_sig_getflags(sigs[i]) & DKIM_SIGFLAG_PROCESSED) != 0 &&
                (dkim_sig_getflags(sigs[i]) & DKIM_SIGFLAG_IGNORE) == 0 && DKIM_SIG_CHECK(sigs[i]))
                pass = true;
        }
    }
    if (st == DKIM_STAT_CANTVRFY && !pass)
        temp = true;
    const char *r;
    if (nsigs == 0) {
        c->none++;
        r = "none";
    } else if (pass) {
        c->pass++;
        r = "pass";
    } else if (temp) {
        c->tempfail++;
        r = "tempfail";
    } else {
        c->fail++;
        r = "fail";
    }
    if (verbose) {
        fprintf(stderr, "#%lu %s", c->messages, r);
        for (int i = 0; i < nsigs; i++)
            fprintf(stderr, " [d=%s s=%s %s]", dkim_sig_getdomain(sigs[i]),
                    dkim_sig_getselector(sigs[i]),
                    dkim_sig_geterrorstr(dkim_sig_geterror(sigs[i])));
        fprintf(stderr, " (%s)\n", dkim_getresultstr(st));
    }
    dkim_free(dkim);
}

/* The -t queue: messages read, waiting for a verifying thread. */
struct item {
    unsigned char *p;
    size_t len;
};
static struct item queue[256];
static size_t q_head, q_count, q_cap = 256;
static bool q_done;
static pthread_mutex_t q_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_nonempty = PTHREAD_COND_INITIALIZER, q_nonfull = PTHREAD_COND_INITIALIZER;
static DKIM_LIB *q_lib;

static void enqueue(const unsigned char *p, size_t len)
{
    unsigned char *copy = malloc(len ? len : 1);
    if (copy == NULL) {
        perror("malloc");
        exit(3);
    }
    memcpy(copy, p, len);
    pthread_mutex_lock(&q_mu);
    while (q_count == q_cap)
        pthread_cond_wait(&q_nonfull, &q_mu);
    queue[(q_head + q_count) % 256] = (struct item){copy, len};
    q_count++;
    pthread_cond_signal(&q_nonempty);
    pthread_mutex_unlock(&q_mu);
}

static void *verifier(void *arg)
{
    struct counts *c = arg;
    for (;;) {
        pthread_mutex_lock(&q_mu);
        while (q_count == 0 && !q_done)
            pthread_cond_wait(&q_nonempty, &q_mu);
        if (q_count == 0) {
            pthread_mutex_unlock(&q_mu);
            return NULL;
        }
        struct item it = queue[q_head];
        q_head = (q_head + 1) % 256;
        q_count--;
        pthread_cond_signal(&q_nonfull);
        pthread_mutex_unlock(&q_mu);
        verify(q_lib, it.p, it.len, c);
        free(it.p);
    }
}

struct buf {
    unsigned char *p;
    size_t len, cap;
};

static void append(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 2 > b->cap) {
        b->cap = (b->len + n + 2) * 2;
        b->p = realloc(b->p, b->cap);
        if (b->p == NULL) {
            perror("realloc");
            exit(3);
        }
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

int main(int argc, char **argv)
{
    int a = 1, threads = 1;
    for (; a < argc; a++) {
        if (strcmp(argv[a], "-v") == 0)
            verbose = true;
        else if (strcmp(argv[a], "-t") == 0 && a + 1 < argc)
            threads = atoi(argv[++a]);
        else
            break;
    }
    if (argc - a != 2 || threads < 1 || threads > 64 || (verbose && threads > 1)) {
        fprintf(stderr, "usage: opendkim_loop [-v | -t THREADS] ZONE MBOX|EML\n");
        return 2;
    }
    load_zone(argv[a]);
    FILE *in = fopen(argv[a + 1], "r");
    if (in == NULL) {
        perror(argv[a + 1]);
        return 3;
    }
    DKIM_LIB *lib = dkim_init(NULL, NULL);
    if (lib == NULL) {
        fprintf(stderr, "dkim_init failed\n");
        return 3;
    }
    dkim_set_key_lookup(lib, key_lookup);

    struct counts c = {0};
    struct counts per[64] = {{0}};
    pthread_t tid[64];
    q_lib = lib;
    if (threads > 1)
        for (int t = 0; t < threads; t++)
            pthread_create(&tid[t], NULL, verifier, &per[t]);
#define VERIFY(p, n) (threads > 1 ? enqueue((p), (n)) : verify(lib, (p), (n), &c))
    struct buf msg = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    bool first = true, mbox = false, prev_blank = true, have = false;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* mboxrd (RFC 4155): "From " after a blank line starts a message; ">From " loses a '>'.
     * Lines are re-terminated with CRLF, as DKIM canonicalizes the message in SMTP form. */
    while ((n = getline(&line, &cap, in)) > 0) {
        size_t len = (size_t)n;
        if (first) {
            mbox = strncmp(line, "From ", 5) == 0;
            first = false;
            if (mbox) {
                prev_blank = false;
                continue;
            }
        }
        if (len > 0 && line[len - 1] == '\n')
            len--;
        if (len > 0 && line[len - 1] == '\r')
            len--;
        if (mbox && prev_blank && len >= 5 && strncmp(line, "From ", 5) == 0) {
            if (have)
                VERIFY(msg.p, msg.len >= 2 ? msg.len - 2 : 0); /* drop the separator */
            msg.len = 0;
            have = false;
            prev_blank = false;
            continue;
        }
        const char *s = line;
        if (mbox && len > 5 && line[0] == '>') {
            size_t k = 0;
            while (k < len && line[k] == '>')
                k++;
            if (len - k >= 5 && strncmp(line + k, "From ", 5) == 0) {
                s++;
                len--;
            }
        }
        append(&msg, s, len);
        append(&msg, "\r\n", 2);
        have = true;
        prev_blank = len == 0;
    }
    if (have)
        VERIFY(msg.p, (mbox && prev_blank && msg.len >= 2) ? msg.len - 2 : msg.len);
    if (threads > 1) {
        pthread_mutex_lock(&q_mu);
        q_done = true;
        pthread_cond_broadcast(&q_nonempty);
        pthread_mutex_unlock(&q_mu);
        for (int t = 0; t < threads; t++) {
            pthread_join(tid[t], NULL);
            c.messages += per[t].messages;
            c.pass += per[t].pass;
            c.fail += per[t].fail;
            c.none += per[t].none;
            c.tempfail += per[t].tempfail;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("messages %lu pass %lu fail %lu none %lu tempfail %lu seconds %.3f\n", c.messages, c.pass,
           c.fail, c.none, c.tempfail, secs);
    free(line);
    free(msg.p);
    fclose(in);
    dkim_close(lib);
    return 0;
}
