#!/usr/bin/env bash
# What the Dockerfile runs, tested without Docker: publish, start the published app with the sample config and the
# container's environment on loopback ports, send one message, check it was captured.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$out"' EXIT
dotnet publish src/OAuthRelay/OAuthRelay.csproj -c Release -o "$out/app" --no-self-contained >/dev/null
mkdir -p "$out/app/config" && cp config/oauthrelay.json "$out/app/config/"
cd "$out/app"
OAUTHRELAY__Listeners__submission__Address=127.0.0.1 OAUTHRELAY__Listeners__submission__Port=12525 \
OAUTHRELAY__Listeners__submissions__Address=127.0.0.1 OAUTHRELAY__Listeners__submissions__Port=12465 \
OAUTHRELAY__Delivery__CaptureFolder="$out/data/capture" OAUTHRELAY__Spool__Directory="$out/data/spool" \
OAUTHRELAY__Tokens__CacheDirectory="$out/data/tokens" OAUTHRELAY__Admin__Port=18025 OAUTHRELAY__Logging__Format=json \
  dotnet OAuthRelay.dll --config "$out/app/config/oauthrelay.json" > "$out/log" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q "OAuthRelay ready" "$out/log" && break; sleep 0.2; done
exec 3<>/dev/tcp/127.0.0.1/12525
for line in "EHLO docker.test" "MAIL FROM:<a@contoso.example>" "RCPT TO:<b@contoso.example>" "DATA"; do
  read -r -t 5 reply <&3; printf '%s\r\n' "$line" >&3
done
read -r -t 5 reply <&3; printf 'Subject: published\r\n\r\nhello\r\n.\r\n' >&3
while read -r -t 5 reply <&3; do case "$reply" in 250\ *queued*) break;; esac; done
printf 'QUIT\r\n' >&3
echo "reply: $reply"
ls "$out/data/capture"/*.eml >/dev/null && echo "published app captured the message"
# The image's HEALTHCHECK command.
OAUTHRELAY__Admin__Port=18025 dotnet OAuthRelay.dll status --live --config "$out/app/config/oauthrelay.json" && echo "health check passed"
# docker stop sends SIGTERM: the relay must exit cleanly, well within the 10 s Docker waits.
kill -TERM $pid
for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
if kill -0 $pid 2>/dev/null; then echo "still running 5 s after SIGTERM" >&2; exit 1; fi
wait $pid && echo "stopped cleanly on SIGTERM"
