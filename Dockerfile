# Custom SDK container for the Beam jobs on Dataflow (and Flink/Spark through the portable runner):
# Beam's Python SDK image with vc-curate, its Beam/LMM/C2PA extras and CUDA-enabled torch installed, so
# workers start without installing anything. Keep BEAM_VERSION and the Python version equal to the
# environment that launches the job.
#
#   docker build -t REGION-docker.pkg.dev/PROJECT/REPO/vc-curate-beam:0.1.0 .
#   docker build --target flex-template -t REGION-docker.pkg.dev/PROJECT/REPO/vc-curate-flex:0.1.0 .
#
# docs/beam.md shows the invocations.

ARG BEAM_VERSION=2.77.0
ARG PYTHON_VERSION=3.11

FROM apache/beam_python${PYTHON_VERSION}_sdk:${BEAM_VERSION} AS sdk
# CUDA wheels for GPU workers; pass --build-arg TORCH_INDEX=https://download.pytorch.org/whl/cpu for CPU-only.
ARG TORCH_INDEX=https://download.pytorch.org/whl/cu128
ARG TORCH_VERSION=2.13.0
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# Few malloc arenas: otherwise freed image buffers of short-lived decode threads make worker memory creep up.
ENV MALLOC_ARENA_MAX=2
WORKDIR /opt/vc-curate
RUN pip install --index-url "${TORCH_INDEX}" "torch==${TORCH_VERSION}"
COPY pyproject.toml README.md ./
COPY vc_curate ./vc_curate
COPY beam_jobs ./beam_jobs
# gcsfs: WebDataset shards and Parquet tables are expanded through fsspec (plain files use Beam's filesystems).
RUN pip install ".[beam,lmm,c2pa,watermarks]" gcsfs \
    && python -c "import beam_jobs.curate, vc_curate; vc_curate.load_scorer('classic', device='cpu')"

# The same image as a Dataflow Flex Template launcher (the SDK image above stays the workers' container).
# The launcher base is per Python version: python311 matches PYTHON_VERSION=3.11.
FROM sdk AS flex-template
COPY --from=gcr.io/dataflow-templates-base/python311-template-launcher-base:latest \
     /opt/google/dataflow/python_template_launcher /opt/google/dataflow/python_template_launcher
ENV FLEX_TEMPLATE_PYTHON_PY_FILE=/opt/vc-curate/beam_jobs/curate.py
ENTRYPOINT ["/opt/google/dataflow/python_template_launcher"]
