"""The processes ``boxoffice up`` supervises: one of each on a single node, two of each on a cluster."""

from cli.stack_topology import Topology, child_specs

EXE = ["boxoffice"]
PRIMARY = "postgresql+psycopg://boxoffice_reader:pw@127.0.0.1:54329/boxoffice"
REPLICA = "postgresql+psycopg://boxoffice_reader:pw@127.0.0.1:54330/boxoffice"


def test_a_single_node_runs_one_of_each_on_the_usual_ports() -> None:
    specs = child_specs(Topology(env={"BOXOFFICE_DATABASE_URL": "x"}), EXE)
    assert [s.name for s in specs] == ["command-api", "command-worker", "projector", "query-api", "webhooks"]
    argv = {s.name: list(s.argv) for s in specs}
    assert argv["command-api"] == [*EXE, "command-api", "--host", "127.0.0.1", "--port", "8001"]
    assert argv["query-api"] == [*EXE, "query-api", "--host", "127.0.0.1", "--port", "8002"]
    assert argv["projector"] == [*EXE, "projector", "--metrics-port", "9101"]
    assert argv["command-worker"] == [*EXE, "command-worker", "--metrics-port", "9102"]
    assert all("BOXOFFICE_QUERY_DATABASE_URL" not in s.env for s in specs)
    assert Topology().urls == ["http://127.0.0.1:8001", "http://127.0.0.1:8002"]


def test_a_cluster_runs_every_process_twice_without_port_collisions() -> None:
    topology = Topology(instances=2, query_database_urls=(PRIMARY, REPLICA))
    specs = child_specs(topology, EXE)
    names = [s.name for s in specs]
    for process in ("command-api", "command-worker", "projector", "query-api"):
        assert [n for n in names if n.startswith(process)] == [f"{process}-1", f"{process}-2"]
    assert names.count("webhooks") == 1  # deliveries are not claimed across processes
    options = ("--port", "--metrics-port")
    ports = [int(s.argv[i + 1]) for s in specs for i, a in enumerate(s.argv) if a in options]
    assert sorted(ports) == [8001, 8002, 8003, 8004, 9101, 9102, 9103, 9104]
    assert topology.urls[:2] == ["http://127.0.0.1:8001", "http://127.0.0.1:8002"]  # what demo and status use
    assert topology.query_urls == ["http://127.0.0.1:8002", "http://127.0.0.1:8004"]


def test_the_second_query_api_reads_the_replica_and_the_first_the_primary() -> None:
    specs = {
        s.name: s for s in child_specs(Topology(instances=2, query_database_urls=(PRIMARY, REPLICA)), EXE)
    }
    assert specs["query-api-1"].env["BOXOFFICE_QUERY_DATABASE_URL"] == PRIMARY
    assert specs["query-api-2"].env["BOXOFFICE_QUERY_DATABASE_URL"] == REPLICA
    assert "BOXOFFICE_QUERY_DATABASE_URL" not in specs["command-api-2"].env


def test_workers_without_a_metrics_port_option_are_started_without_it() -> None:
    specs = child_specs(Topology(worker_metrics=False), EXE)
    assert [list(s.argv) for s in specs if s.name == "command-worker"] == [[*EXE, "command-worker"]]
