/*
 * An HTTP server linked dynamically against libsqlite3 (gcc -O2 -o sqlite-http main.c -lsqlite3).
 * The `base` image has glibc but not SQLite: distill finds libsqlite3.so.0 missing from the image,
 * looks it up in Debian's Contents index and adds libsqlite3-0 by itself.
 */
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Asks SQLite itself, so the answer proves the library was loaded and works. */
static void query(char *buf, size_t len) {
  sqlite3 *db;
  sqlite3_stmt *st;
  snprintf(buf, len, "sqlite error");
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) return;
  if (sqlite3_prepare_v2(db, "select sqlite_version(), 6*7", -1, &st, NULL) == SQLITE_OK) {
    if (sqlite3_step(st) == SQLITE_ROW)
      snprintf(buf, len, "sqlite %s says %d", sqlite3_column_text(st, 0), sqlite3_column_int(st, 1));
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
}

int main(void) {
  const char *p = getenv("PORT");
  int port = p ? atoi(p) : 8080;
  signal(SIGPIPE, SIG_IGN);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY)};
  if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 16) != 0) {
    perror("listen");
    return 1;
  }
  fprintf(stderr, "dynamic-sqlite listening on %d\n", port);
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c < 0) continue;
    char req[2048];
    (void)read(c, req, sizeof req);
    char answer[128], body[256], out[512];
    query(answer, sizeof answer);
    int n = snprintf(body, sizeof body, "hello from dynamic-sqlite: %s uid=%d\n", answer, (int)getuid());
    int m = snprintf(out, sizeof out,
                     "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
                     n, body);
    (void)write(c, out, m);
    close(c);
  }
}
