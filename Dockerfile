# The images of the video site's five applications, from one Maven build of the whole reactor.
# Build context: the repository root. One target per image, built with the images pinned in .env as arguments:
#   docker compose build gateway-service        the JVM image (compose.yaml names the target and passes .env)
#   docker build --target gateway-service --build-arg MAVEN_IMAGE=… --build-arg JRE_IMAGE=…
#     --build-arg MANDREL_BUILDER_IMAGE=… --build-arg NATIVE_RUNTIME_IMAGE=… .   the same, by hand (one command):
#     BuildKit checks every stage's FROM, so all four image arguments need a value whichever target is built
#   docker compose -f compose.yaml -f compose.native.yaml build gateway-service   the native image
# Every target starts from the same Maven stages, so BuildKit runs them once however many images it builds.
# BuildKit is needed (FROM --platform=$BUILDPLATFORM): Docker 23+ with buildx, or DOCKER_BUILDKIT=1 (README).
ARG MAVEN_IMAGE
ARG JRE_IMAGE
ARG MANDREL_BUILDER_IMAGE
ARG NATIVE_RUNTIME_IMAGE

# 1. Every artifact the package steps below need, resolved from the poms alone: this layer is reused until
#    a pom changes, and it holds the whole local repository, so everything after it runs offline (mvn -o).
#    The Maven stages run on the build machine's own platform: jars do not depend on the CPU, so an arm64
#    image is the arm64 JRE plus the same jars; only the AOT cache (step 3) is made by each platform's JVM.
FROM --platform=$BUILDPLATFORM ${MAVEN_IMAGE} AS dependencies
WORKDIR /build
ENV APPLICATIONS=user-service,video-service,recommend-service,gateway-service,traffic-generator
COPY pom.xml ./
COPY proto/pom.xml proto/
COPY service-conventions/pom.xml service-conventions/
COPY workshop-kit/pom.xml workshop-kit/
COPY user-service/pom.xml user-service/
COPY video-service/pom.xml video-service/
COPY recommend-service/pom.xml recommend-service/
COPY gateway-service/pom.xml gateway-service/
COPY traffic-generator/pom.xml traffic-generator/
# dependency:go-offline: the plugins and the dependencies, resolved as the build resolves them;
# quarkus:go-offline: what Quarkus resolves while it builds (the extensions' build steps, the gRPC code
# generators' protoc binaries). The repository stays in this layer rather than in a cache mount: a cache
# mount is neither part of the exported build cache nor kept with the layer, and the offline steps need it.
RUN mvn -B -q -pl ${APPLICATIONS} -am dependency:go-offline quarkus:go-offline -Dmode=prod

FROM dependencies AS sources
COPY proto/src proto/src
COPY service-conventions/src service-conventions/src
COPY workshop-kit/src workshop-kit/src
COPY user-service/src user-service/src
COPY video-service/src video-service/src
COPY recommend-service/src recommend-service/src
COPY gateway-service/src gateway-service/src
COPY traffic-generator/src traffic-generator/src

# 2. The reactor, built once for every JVM image. The database kind is fixed when Quarkus builds: the compose
#    images use PostgreSQL (compose.yaml passes DB_KIND); the applications without a database ignore it.
FROM sources AS build
ARG DB_KIND=h2
RUN mvn -B -q -o -pl ${APPLICATIONS} -am package -DskipTests -Dquarkus.datasource.db-kind=${DB_KIND}

# 3. The JVM images: the Temurin 25 JRE, curl (the healthchecks and the training start call it; Temurin's images
#    hold it below Java 22 only: docs/IMAGES.md) and one application's quarkus-app, copied in four layers from
#    least to most often changed, plus the application's AOT cache (JDK 25): the classes its start loads and
#    links, and the start's method profiles, so that a start maps them instead of doing that work again
#    (docs/BENCHMARKS.md, "In the images"). A cache is only valid for the JVM build and the jars (path, size,
#    modification time; the jars are checked from JDK 25.0.4, JDK-8377932) that made it, which is why it is made
#    here, by the image's own JVM, and not by Maven: on arm64 this runs emulated (images.yml sets up QEMU). A JVM
#    that cannot use it (JAVA_OPTS changed what it depends on) warns and starts without it.
FROM ${JRE_IMAGE} AS jvm
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /deployments
ENV QUARKUS_HTTP_HOST=0.0.0.0 \
    MALLOC_ARENA_MAX=2 \
    JAVA_OPTS="-XX:+UseSerialGC -Xmx48m -Xss512k -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=32m -XX:MaxDirectMemorySize=32m -XX:TrimNativeHeapInterval=5000 -XX:+ExitOnOutOfMemoryError"
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -XX:AOTCache=/deployments/app.aot -jar /deployments/quarkus-run.jar"]

#    Each cache comes from a real start in a training stage (docker/train-aot-cache.sh): the application runs with
#    -XX:AOTCacheOutput until it answers ready, then stops, and the JVM writes the cache. user-service and
#    video-service start against a PostgreSQL of the training stage's own (an H2 build, DB_KIND=h2, starts on its
#    own in-memory database), so their cache holds Hibernate's boot and the demo data's seeding too. The image
#    copies the application and its cache from that stage (nothing of PostgreSQL): the very files the cache was
#    made with, modification times included, whatever a builder's layer cache reuses. Then it checks that its JVM
#    takes the cache for its jars (-XX:AOTMode=on fails the build if not).
FROM jvm AS training
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql \
    && rm -rf /var/lib/apt/lists/*
COPY docker/train-aot-cache.sh /usr/local/bin/train-aot-cache

FROM training AS user-service-training
COPY --from=build /build/user-service/target/quarkus-app/lib/ lib/
COPY --from=build /build/user-service/target/quarkus-app/*.jar ./
COPY --from=build /build/user-service/target/quarkus-app/app/ app/
COPY --from=build /build/user-service/target/quarkus-app/quarkus/ quarkus/
ARG DB_KIND=h2
RUN train-aot-cache /q/health/ready users

FROM jvm AS user-service
COPY --from=user-service-training /deployments/lib/ lib/
COPY --from=user-service-training /deployments/*.jar ./
COPY --from=user-service-training /deployments/app/ app/
COPY --from=user-service-training /deployments/quarkus/ quarkus/
COPY --from=user-service-training /deployments/app.aot ./
RUN java $JAVA_OPTS -XX:AOTCache=/deployments/app.aot -XX:AOTMode=on -cp /deployments/quarkus-run.jar -version
USER 1001
EXPOSE 8081
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8081/q/health/ready || exit 1

FROM training AS video-service-training
COPY --from=build /build/video-service/target/quarkus-app/lib/ lib/
COPY --from=build /build/video-service/target/quarkus-app/*.jar ./
COPY --from=build /build/video-service/target/quarkus-app/app/ app/
COPY --from=build /build/video-service/target/quarkus-app/quarkus/ quarkus/
ARG DB_KIND=h2
RUN train-aot-cache /q/health/ready videos

FROM jvm AS video-service
COPY --from=video-service-training /deployments/lib/ lib/
COPY --from=video-service-training /deployments/*.jar ./
COPY --from=video-service-training /deployments/app/ app/
COPY --from=video-service-training /deployments/quarkus/ quarkus/
COPY --from=video-service-training /deployments/app.aot ./
RUN java $JAVA_OPTS -XX:AOTCache=/deployments/app.aot -XX:AOTMode=on -cp /deployments/quarkus-run.jar -version
USER 1001
EXPOSE 8082 9082
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8082/q/health/ready || exit 1

FROM training AS recommend-service-training
COPY --from=build /build/recommend-service/target/quarkus-app/lib/ lib/
COPY --from=build /build/recommend-service/target/quarkus-app/*.jar ./
COPY --from=build /build/recommend-service/target/quarkus-app/app/ app/
COPY --from=build /build/recommend-service/target/quarkus-app/quarkus/ quarkus/
RUN train-aot-cache /q/health/ready

FROM jvm AS recommend-service
COPY --from=recommend-service-training /deployments/lib/ lib/
COPY --from=recommend-service-training /deployments/*.jar ./
COPY --from=recommend-service-training /deployments/app/ app/
COPY --from=recommend-service-training /deployments/quarkus/ quarkus/
COPY --from=recommend-service-training /deployments/app.aot ./
RUN java $JAVA_OPTS -XX:AOTCache=/deployments/app.aot -XX:AOTMode=on -cp /deployments/quarkus-run.jar -version
USER 1001
EXPOSE 8083 9083
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8083/q/health/ready || exit 1

FROM training AS gateway-service-training
COPY --from=build /build/gateway-service/target/quarkus-app/lib/ lib/
COPY --from=build /build/gateway-service/target/quarkus-app/*.jar ./
COPY --from=build /build/gateway-service/target/quarkus-app/app/ app/
COPY --from=build /build/gateway-service/target/quarkus-app/quarkus/ quarkus/
RUN train-aot-cache /q/health/ready

FROM jvm AS gateway-service
COPY --from=gateway-service-training /deployments/lib/ lib/
COPY --from=gateway-service-training /deployments/*.jar ./
COPY --from=gateway-service-training /deployments/app/ app/
COPY --from=gateway-service-training /deployments/quarkus/ quarkus/
COPY --from=gateway-service-training /deployments/app.aot ./
RUN java $JAVA_OPTS -XX:AOTCache=/deployments/app.aot -XX:AOTMode=on -cp /deployments/quarkus-run.jar -version
USER 1001
EXPOSE 8080 9000
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=3 \
    CMD curl -fsS http://127.0.0.1:9000/q/health/ready || exit 1

FROM training AS traffic-generator-training
COPY --from=build /build/traffic-generator/target/quarkus-app/lib/ lib/
COPY --from=build /build/traffic-generator/target/quarkus-app/*.jar ./
COPY --from=build /build/traffic-generator/target/quarkus-app/app/ app/
COPY --from=build /build/traffic-generator/target/quarkus-app/quarkus/ quarkus/
RUN train-aot-cache /q/health/ready

FROM jvm AS traffic-generator
COPY --from=traffic-generator-training /deployments/lib/ lib/
COPY --from=traffic-generator-training /deployments/*.jar ./
COPY --from=traffic-generator-training /deployments/app/ app/
COPY --from=traffic-generator-training /deployments/quarkus/ quarkus/
COPY --from=traffic-generator-training /deployments/app.aot ./
RUN java $JAVA_OPTS -XX:AOTCache=/deployments/app.aot -XX:AOTMode=on -cp /deployments/quarkus-run.jar -version
USER 1001
EXPOSE 8084
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8084/q/health/ready || exit 1

# 4. Native images (compose.native.yaml). Maven prepares what native-image needs for all five at once
#    (target/native-sources), offline too; then Mandrel compiles one application per image, with the arguments
#    Quarkus wrote. native-image builds for the platform it runs on, so these stages are not cross-built.
FROM sources AS native-sources
ARG DB_KIND=h2
RUN mvn -B -q -o -pl ${APPLICATIONS} -am package -DskipTests -Dnative -Dquarkus.native.sources-only=true \
    -Dquarkus.datasource.db-kind=${DB_KIND}

FROM ${MANDREL_BUILDER_IMAGE} AS native-compiler
WORKDIR /build
USER root

FROM native-compiler AS user-service-native-build
COPY --from=native-sources /build/user-service/target/native-sources/ ./
RUN native-image $(cat native-image.args) -J-Xmx4g

FROM native-compiler AS video-service-native-build
COPY --from=native-sources /build/video-service/target/native-sources/ ./
RUN native-image $(cat native-image.args) -J-Xmx4g

FROM native-compiler AS recommend-service-native-build
COPY --from=native-sources /build/recommend-service/target/native-sources/ ./
RUN native-image $(cat native-image.args) -J-Xmx4g

FROM native-compiler AS gateway-service-native-build
COPY --from=native-sources /build/gateway-service/target/native-sources/ ./
RUN native-image $(cat native-image.args) -J-Xmx4g

FROM native-compiler AS traffic-generator-native-build
COPY --from=native-sources /build/traffic-generator/target/native-sources/ ./
RUN native-image $(cat native-image.args) -J-Xmx4g

# A small runtime with the binary only. Debian slim has what a Quarkus native executable needs (glibc,
# libstdc++, zlib); curl is for the healthcheck.
FROM ${NATIVE_RUNTIME_IMAGE} AS native
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /work
# As Quarkus' own native Dockerfiles do: /work belongs to the runtime user 1001 and group root.
RUN chown 1001:root /work && chmod g+rwX /work
USER 1001
ENV QUARKUS_HTTP_HOST=0.0.0.0
ENTRYPOINT ["/work/application"]

FROM native AS user-service-native
COPY --from=user-service-native-build --chown=1001:root /build/*-runner /work/application
EXPOSE 8081
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8081/q/health/ready || exit 1

FROM native AS video-service-native
COPY --from=video-service-native-build --chown=1001:root /build/*-runner /work/application
EXPOSE 8082 9082
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8082/q/health/ready || exit 1

FROM native AS recommend-service-native
COPY --from=recommend-service-native-build --chown=1001:root /build/*-runner /work/application
EXPOSE 8083 9083
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8083/q/health/ready || exit 1

FROM native AS gateway-service-native
COPY --from=gateway-service-native-build --chown=1001:root /build/*-runner /work/application
EXPOSE 8080 9000
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:9000/q/health/ready || exit 1

FROM native AS traffic-generator-native
COPY --from=traffic-generator-native-build --chown=1001:root /build/*-runner /work/application
EXPOSE 8084
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8084/q/health/ready || exit 1
