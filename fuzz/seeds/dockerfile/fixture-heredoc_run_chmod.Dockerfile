FROM alpine:3.19
RUN <<EOF
set -eu
apk add --no-cache iputils
chmod u+s /bin/ping
EOF
RUN cat <<EOF > /etc/motd
chmod u+s /not/a/command
EOF
RUN python3 <<'PY'
import os
os.chmod("/usr/bin/tool", 0o4755)
PY
RUN bash <<-SCRIPT
	chmod g+s /srv/shared
	SCRIPT
USER nobody
