# A Dockerfile with known faults: proves the linter really checks (DockerfileLintWithDockerfileUtilsTest).
FROM debian:12
MAINTAINER nobody@example.invalid
EXPOSE 80abc
HEALTHCHECK --interval=30x CMD true
COPPY a b
CMD ["true"]
