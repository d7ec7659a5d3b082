#!/usr/bin/env bash
# What the Dockerfile runs, tested without Docker: publish, start the published app with the sample config and the
# container's environment on loopback ports, send one message, run the health check, then stop it with SIGTERM while
# a second message is in flight: that message must still be accepted and captured, and the process must exit cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; chmod -R u+w "$out"; rm -rf "$out"' EXIT
dotnet publish src/OAuthRelay/OAuthRelay.csproj -c Release -o "$out/app" --no-self-contained >/dev/null
mkdir -p "$out/app/config" && cp config/oauthrelay.json "$out/app/config/"
# The image's layout: the application and its configuration read-only, state only under the data directory.
chmod -R a-w "$out/app"
touch "$out/started"
cd "$out/app"
export OAUTHRELAY__Admin__Port=18025 OAUTHRELAY__Admin__BearerTokenFile="$out/secrets/admin-token"
# The console on: its keys must stay in memory, so nothing may appear under a home folder either.
export HOME="$out/home" OAUTHRELAY__Admin__PasswordHash="$(echo "published admin" | dotnet OAuthRelay.dll hash-password --iterations 100000)"
mkdir -p "$HOME"
mkdir -p "$out/secrets" && head -c 24 /dev/urandom | base64 > "$out/secrets/admin-token"
OAUTHRELAY__Listeners__submission__Address=127.0.0.1 OAUTHRELAY__Listeners__submission__Port=12525 \
OAUTHRELAY__Listeners__submissions__Address=127.0.0.1 OAUTHRELAY__Listeners__submissions__Port=12465 \
OAUTHRELAY__Delivery__CaptureFolder="$out/data/capture" OAUTHRELAY__Spool__Directory="$out/data/spool" \
OAUTHRELAY__Queue__Directory="$out/data/queue" \
OAUTHRELAY__Tokens__CacheDirectory="$out/data/tokens" OAUTHRELAY__Logging__Format=json \
  dotnet OAuthRelay.dll --config "$out/app/config/oauthrelay.json" > "$out/log" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q "OAuthRelay ready" "$out/log" && break; sleep 0.2; done

# Reads reply lines until the last line of a reply ("NNN "), which it prints.
reply() { local line; while read -r -t 5 line <&3; do line=${line%$'\r'}; [[ $line =~ ^[0-9]{3}\  ]] && { echo "$line"; return; }; done; echo "no reply"; }
command() { printf '%s\r\n' "$1" >&3; reply; }
# begin_message [AUTH PLAIN argument]: connects, logs in if given one, and sends the envelope up to DATA.
begin_message() {
  exec 3<>/dev/tcp/127.0.0.1/12525
  reply >/dev/null
  command "EHLO docker.test" >/dev/null
  if [[ $# -gt 0 ]]; then [[ $(command "AUTH PLAIN $1") == 235* ]] || { echo "AUTH refused" >&2; exit 1; }; fi
  command "MAIL FROM:<a@contoso.example>" >/dev/null; command "RCPT TO:<b@contoso.example>" >/dev/null
  [[ $(command "DATA") == 354* ]] || { echo "DATA refused" >&2; exit 1; }
}

begin_message
printf 'Subject: published\r\n\r\nhello\r\n.\r\n' >&3
accepted=$(reply); echo "reply: $accepted"; [[ $accepted == 250* ]]
command "QUIT" >/dev/null
ls "$out/data/capture"/*.eml >/dev/null && echo "published app captured the message"

# The sample's legacy-app client is queued: 250 once the message is on the data volume, then delivered.
begin_message "$(printf '\0aem@contoso.example\0change-me' | base64)"
printf 'Subject: queued\r\n\r\nhello\r\n.\r\n' >&3
accepted=$(reply); echo "reply: $accepted"; [[ $accepted == "250 2.0.0 OK queued as "* ]]
command "QUIT" >/dev/null
for _ in $(seq 50); do grep -lq "Subject: queued" "$out/data/capture"/*.eml 2>/dev/null && break; sleep 0.1; done
grep -l "Subject: queued" "$out/data/capture"/*.eml >/dev/null && echo "the queued message was delivered from $out/data/queue"

# The image's HEALTHCHECK command; then the full status, with the admin bearer token from a mounted secret file.
dotnet OAuthRelay.dll status --live --config "$out/app/config/oauthrelay.json" && echo "health check passed"
dotnet OAuthRelay.dll status --config "$out/app/config/oauthrelay.json" >/dev/null && echo "status answered with the token from the secret file"

# The console's pages and embedded assets from the read-only application (HTTP/1.0 over bash's /dev/tcp).
http_get() { exec 4<>/dev/tcp/127.0.0.1/18025; printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$1" >&4; cat <&4; exec 4<&-; }
http_get /sign-in | grep -q "Admin password" && echo "console sign-in page served"
http_get /assets/console.css | grep -q "prefers-color-scheme" && echo "console style sheet served from the assembly"

# docker stop sends SIGTERM: the message under way is finished, then the relay exits, well within Docker's 10 s.
begin_message
printf 'Subject: in flight\r\n\r\nfirst half\r\n' >&3
kill -TERM $pid
printf 'second half\r\n.\r\n' >&3
accepted=$(reply); echo "reply during shutdown: $accepted"; [[ $accepted == 250* ]]
grep -l "second half" "$out/data/capture"/*.eml >/dev/null && echo "the in-flight message was kept"
for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
if kill -0 $pid 2>/dev/null; then echo "still running 5 s after SIGTERM" >&2; exit 1; fi
wait $pid && echo "stopped cleanly on SIGTERM"
# CI runs as root, which a read-only folder does not stop: check that nothing was written under the application.
written=$(find "$out/app" -newer "$out/started")
[[ -z $written ]] || { echo "written under the application folder: $written" >&2; exit 1; }
[[ ! -e "$HOME/.aspnet" ]] || { echo "the console wrote keys under $HOME/.aspnet" >&2; exit 1; }
