// netdelay: real packet delay without tc netem (which the kernels this runs on lack). iptables' NFQUEUE target hands
// every packet of a link to this program (queue QUEUE); it keeps each one and gives it back (NF_ACCEPT) once DELAY_MS
// have passed, in the order they came. Only the packets' ids cross (NFQNL_COPY_META). On SIGTERM it gives back what
// it holds and exits; rules installed with --queue-bypass let packets through while nobody listens on the queue.
// Usage: netdelay QUEUE DELAY_MS   (prints "ready" once bound to the queue)
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <poll.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

struct held { uint32_t id; int64_t due; };
static struct held *ring; static size_t cap = 1 << 20, head, tail;
static int64_t delay_ns; static volatile sig_atomic_t stop;
static int64_t now_ns(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec; }
static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *m, struct nfq_data *d, void *x) {
  struct nfqnl_msg_packet_hdr *h = nfq_get_msg_packet_hdr(d);
  uint32_t id = ntohl(h->packet_id);
  // full: let it through at once rather than drop it
  if (tail - head == cap) { nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL); return 0; }
  ring[tail % cap] = (struct held){ id, now_ns() + delay_ns }; tail++;
  return 0;
}
static void on_signal(int s) { stop = 1; }
int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: netdelay QUEUE DELAY_MS\n"); return 2; }
  int queue = atoi(argv[1]); delay_ns = (int64_t)atol(argv[2]) * 1000000LL;
  ring = malloc(cap * sizeof *ring);
  struct nfq_handle *h = nfq_open(); if (!h) { perror("nfq_open"); return 1; }
  struct nfq_q_handle *qh = nfq_create_queue(h, queue, on_packet, NULL); if (!qh) { perror("nfq_create_queue"); return 1; }
  nfq_set_mode(qh, NFQNL_COPY_META, 0);
  nfq_set_queue_maxlen(qh, 1 << 20);
  // a kernel queue that overflows accepts packets instead of dropping them: the fault is delay, not loss
  nfq_set_queue_flags(qh, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN);
  nfnl_rcvbufsiz(nfq_nfnlh(h), 16 << 20);
  signal(SIGTERM, on_signal); signal(SIGINT, on_signal);
  int fd = nfq_fd(h); char buf[65536];
  printf("ready\n"); fflush(stdout);
  while (!stop) {
    int64_t t = now_ns(); int wait = 100;
    while (head != tail && ring[head % cap].due <= t) { nfq_set_verdict(qh, ring[head % cap].id, NF_ACCEPT, 0, NULL); head++; }
    if (head != tail) { int64_t ms = (ring[head % cap].due - t) / 1000000LL; wait = ms < 1 ? 1 : (ms > 100 ? 100 : (int)ms); }
    struct pollfd p = { fd, POLLIN, 0 };
    if (poll(&p, 1, wait) > 0) {
      int n;
      while ((n = recv(fd, buf, sizeof buf, MSG_DONTWAIT)) > 0) nfq_handle_packet(h, buf, n);
      if (n < 0 && errno == ENOBUFS) fprintf(stderr, "netdelay: ENOBUFS, packets lost\n");
    }
  }
  while (head != tail) { nfq_set_verdict(qh, ring[head % cap].id, NF_ACCEPT, 0, NULL); head++; }
  nfq_destroy_queue(qh); nfq_close(h);
  return 0;
}
