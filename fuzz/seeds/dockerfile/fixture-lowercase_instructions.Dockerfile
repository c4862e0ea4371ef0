from alpine:3.19 as base
run chmod u+s /bin/su
user app
