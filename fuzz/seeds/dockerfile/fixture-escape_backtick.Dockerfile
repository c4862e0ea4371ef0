# escape=`
FROM mcr.microsoft.com/powershell:lts-alpine-3.19
ARG USERNAME=ContainerUser
ENV HOME_DIR=C:\Users\${USERNAME}
RUN chmod u+s `
    /opt/tool
USER `
    ${USERNAME}
