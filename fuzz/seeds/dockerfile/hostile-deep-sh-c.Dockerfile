FROM alpine
RUN sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "sh -c "chmod u+s /bin/x""""""""""""""""""""""""""""""""""""""""
