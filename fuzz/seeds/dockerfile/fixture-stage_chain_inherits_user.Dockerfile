FROM python:3.12-slim AS base
ENV APP_USER=appuser
RUN useradd --create-home ${APP_USER}
USER ${APP_USER}

FROM base AS test
RUN pip install pytest

FROM test
CMD ["pytest"]
