"""Stage 'graph': the ``argraph/1`` JSONL writer (:mod:`.write`), reader
(:mod:`.read`) and validator (:mod:`.validate`).  ``docs/schema.md`` documents
every field; ``pipeline/schema/argraph-1.json`` is the JSON Schema."""

from pipeline.graph.read import (
    DocumentRecord,
    Graph,
    iter_graphs,
    iter_records,
    read_document_record,
    read_graph,
    read_output_folder,
    to_networkx,
)
from pipeline.graph.validate import load_schema, validate_file, validate_records
from pipeline.graph.write import (
    RECORD_TYPES,
    SCHEMA_ID,
    SCHEMA_PATH,
    GraphError,
    atomic_write_text,
    graph_records,
    write_graph,
)

__all__ = [
    "RECORD_TYPES", "SCHEMA_ID", "SCHEMA_PATH", "DocumentRecord", "Graph", "GraphError", "atomic_write_text",
    "graph_records", "iter_graphs", "iter_records", "load_schema", "read_document_record", "read_graph",
    "read_output_folder", "to_networkx", "validate_file", "validate_records", "write_graph",
]
