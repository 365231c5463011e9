"""Where images come from: files, folders, globs, fsspec URLs, WebDataset shards and Parquet tables.

`expand_inputs(specs)` turns command-line style INPUTs into `ImageInput`s (one per image). Plain files are
read lazily, in the scorer's worker pool; shard members and Parquet rows carry their bytes.
"""

from vc_curate.inputs.image_input import ImageInput, as_image_input
from vc_curate.inputs.expand import expand_inputs
from vc_curate.inputs.uris import read_uri_bytes

__all__ = ["ImageInput", "as_image_input", "expand_inputs", "read_uri_bytes"]
