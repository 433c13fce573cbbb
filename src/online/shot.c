/*
 * shot.c - a PNG of the live lure page with headless Chromium (--screenshot).
 *
 * The page is the final URL of the site check. Chromium runs in its own
 * process group with a throwaway profile (removed afterwards), no sandbox
 * (we may run as root in CI), no GPU, no background/component/sync traffic,
 * no QUIC, and a host resolver rule that maps only the lure host to the
 * address kensa resolved and checked ("MAP * ~NOTFOUND" for everything else),
 * so the browser neither resolves names itself nor reaches any other host.
 * Page scripts do run here (headless Chromium cannot capture with JavaScript
 * disabled, by flag or by profile preference); they are confined to that one
 * host and the throwaway profile. The site check (site.c) never runs them.
 * Chromium is killed at ONLINE_SHOT_TIMEOUT_MS. The PNG goes to the
 * screenshot directory as <sha256-prefix>-<link index>.png.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../report/report.h"
#include "internal.h"

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb;
    (void)flag;
    (void)f;
    remove(p);
    return 0;
}

static void rm_tree(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int mkdir_p(const char *dir)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s", dir) >= (int)sizeof tmp)
        return -1;
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(tmp, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

static void set_shot(orun *o, size_t i, const char *path, const char *err)
{
    pthread_mutex_lock(&o->mu);
    online_link *ol = &o->res->links[i];
    ol->screenshot = path ? arena_strdup(o->a, path) : NULL;
    ol->screenshot_error = err ? arena_strdup(o->a, err) : NULL;
    pthread_mutex_unlock(&o->mu);
}

extern char **environ;

void online_screenshot(orun *o, size_t i)
{
    const online_ctx *c = o->c;
    pthread_mutex_lock(&o->mu);
    const online_link *ol = &o->res->links[i];
    char *url = ol->live == 1 && ol->final_url ? strdup(ol->final_url) : NULL;
    char *ip = ol->final_ip ? strdup(ol->final_ip) : NULL;
    pthread_mutex_unlock(&o->mu);
    char *host = NULL;
    CURLU *u = url ? curl_url() : NULL;
    if (u && (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
              curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK))
        host = NULL;
    curl_url_cleanup(u);
    if (!url || !host || !ip) {
        free(url);
        free(ip);
        curl_free(host);
        return;
    }
    if (!c->chromium) {
        set_shot(o, i, NULL, "chromium not found");
        goto out;
    }
    const char *dir = c->screenshot_dir ? c->screenshot_dir : "kensa-screenshots";
    char png[4096], profile[4096], rules[600], shotarg[4200], profarg[4200], home[4200];
    snprintf(png, sizeof png, "%s/%s-%zu.png", dir, o->sha16, i);
    snprintf(profile, sizeof profile, "%s/chrome-XXXXXX", c->tmpdir);
    if (mkdir_p(dir) != 0 || !mkdtemp(profile)) {
        set_shot(o, i, NULL, "cannot create the screenshot or profile directory");
        goto out;
    }
    unlink(png);
    int v6 = strchr(ip, ':') != NULL;
    if (host[0] != '[' && strcmp(host, ip) != 0)
        snprintf(rules, sizeof rules, "--host-resolver-rules=MAP %s %s%s%s, MAP * ~NOTFOUND",
                 host, v6 ? "[" : "", ip, v6 ? "]" : "");
    else
        snprintf(rules, sizeof rules, "--host-resolver-rules=MAP * ~NOTFOUND");
    snprintf(shotarg, sizeof shotarg, "--screenshot=%s", png);
    snprintf(profarg, sizeof profarg, "--user-data-dir=%s", profile);
    snprintf(home, sizeof home, "HOME=%s", profile);
    char *argv[] = {c->chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-quic", "--disable-extensions",
                    "--disable-breakpad", "--disable-crash-reporter", "--no-default-browser-check",
                    "--disable-dev-shm-usage", "--no-proxy-server", "--dns-prefetch-disable",
                    "--mute-audio", "--hide-scrollbars",
                    "--disable-features=Translate,MediaRouter,OptimizationHints",
                    "--window-size=1280,900", rules, profarg, shotarg, url, NULL};
    char *envp[] = {home, "PATH=/usr/bin:/bin", "LANG=C.UTF-8", NULL};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_init(&at);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&at, 0);
    pid_t pid;
    int rc = posix_spawn(&pid, c->chromium, &fa, &at, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    const char *err = NULL;
    if (rc != 0) {
        err = "cannot start chromium";
    } else {
        long long deadline = online_now_ms() + ONLINE_SHOT_TIMEOUT_MS;
        int status = 0, done = 0;
        while (!done) {
            pid_t w = waitpid(pid, &status, WNOHANG);
            if (w == pid || (w < 0 && errno != EINTR)) {
                done = 1;
                break;
            }
            if (online_now_ms() >= deadline) {
                kill(-pid, SIGKILL);
                waitpid(pid, &status, 0);
                err = "chromium timed out";
                break;
            }
            usleep(50 * 1000);
        }
        kill(-pid, SIGKILL); /* helpers left in the group */
        struct stat st;
        if (!err && (stat(png, &st) != 0 || st.st_size == 0))
            err = "chromium wrote no screenshot";
    }
    rm_tree(profile);
    set_shot(o, i, err ? NULL : png, err);
out:
    free(url);
    free(ip);
    curl_free(host);
}
