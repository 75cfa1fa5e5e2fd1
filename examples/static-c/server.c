/*
 * A tiny HTTP server, linked statically (gcc -static -O2 -o server server.c): it needs nothing
 * from the image, so it runs on the `static` base, which has no C library at all.
 * Answers every request with its uid, so a test can see it runs as nonroot (65532).
 */
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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
  fprintf(stderr, "static-c listening on %d\n", port);
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c < 0) continue;
    char req[2048];
    (void)read(c, req, sizeof req); /* one read is enough for a GET */
    char body[128], out[512];
    int n = snprintf(body, sizeof body, "hello from static-c uid=%d\n", (int)getuid());
    int m = snprintf(out, sizeof out,
                     "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
                     n, body);
    (void)write(c, out, m);
    close(c);
  }
}
