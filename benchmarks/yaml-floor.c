/*
 * yaml-floor — the physical floor for netpol-lint's benchmark.
 *
 * Walks the given directories/files recursively (skips `.git`, never follows
 * symlinks, only `*.yaml` / `*.yml`, skips files larger than 10 MB), reads each
 * file whole and runs libyaml's event parser over it, deleting every event.
 * A parse error simply ends that file. Prints `files=N bytes=B` to stdout.
 *
 * Nothing but libc and libyaml:  cc -O2 -o yaml-floor yaml-floor.c -lyaml
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#define MAX_FILE_BYTES (10L * 1024 * 1024)

static unsigned long long n_files = 0;
static unsigned long long n_bytes = 0;
static unsigned char *buf = NULL;
static size_t buf_cap = 0;

static int has_yaml_ext(const char *name) {
    size_t n = strlen(name);
    if (n >= 5 && strcmp(name + n - 5, ".yaml") == 0) return 1;
    if (n >= 4 && strcmp(name + n - 4, ".yml") == 0) return 1;
    return 0;
}

static void parse_file(const char *path, off_t size) {
    if (size < 0 || size > MAX_FILE_BYTES) return;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return;
    size_t want = (size_t)size;
    if (want + 1 > buf_cap) {
        size_t cap = buf_cap ? buf_cap : 65536;
        while (cap < want + 1) cap *= 2;
        unsigned char *nb = realloc(buf, cap);
        if (!nb) { close(fd); return; }
        buf = nb;
        buf_cap = cap;
    }
    size_t len = 0;
    while (len < want) {
        ssize_t r = read(fd, buf + len, want - len);
        if (r < 0) { if (errno == EINTR) continue; break; }
        if (r == 0) break;
        len += (size_t)r;
    }
    close(fd);

    n_files++;
    n_bytes += len;

    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) return;
    yaml_parser_set_input_string(&parser, buf, len);
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) break; /* error: stop this file */
        int done = (ev.type == YAML_STREAM_END_EVENT);
        yaml_event_delete(&ev);
        if (done) break;
    }
    yaml_parser_delete(&parser);
}

static void walk(const char *path);

static void walk_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *de;
    size_t dlen = strlen(dir);
    while ((de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
        if (strcmp(name, ".git") == 0) continue;
        size_t nlen = strlen(name);
        char *child = malloc(dlen + 1 + nlen + 1);
        if (!child) continue;
        memcpy(child, dir, dlen);
        size_t off = dlen;
        if (dlen == 0 || dir[dlen - 1] != '/') child[off++] = '/';
        memcpy(child + off, name, nlen + 1);
        walk(child);
        free(child);
    }
    closedir(d);
}

static void walk(const char *path) {
    struct stat st;
    /* lstat: a symlink is never followed, not even at the top. */
    if (lstat(path, &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
        walk_dir(path);
    } else if (S_ISREG(st.st_mode)) {
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        if (has_yaml_ext(base)) parse_file(path, st.st_size);
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) walk(argv[i]);
    free(buf);
    printf("files=%llu bytes=%llu\n", n_files, n_bytes);
    return 0;
}
