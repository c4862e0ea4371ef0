FROM debian:12
RUN ["chmod", "4755", "/usr/bin/newgrp"]
RUN ["/bin/sh", "-c", "chmod g+s /srv/shared && echo done"]
USER 1000:1000
CMD ["app"]
