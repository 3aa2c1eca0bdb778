"""Things that answer at nodes: simulated, scripted and LLM agents, and model servers.

Built-in agents are registered by name through the ``hch.agents`` entry points in
``pyproject.toml`` (see ``hch.registry``), as a third-party package registers its own.

Note: the OpenAI Agents SDK also installs a top-level package named ``agents``; keep
the two in separate environments.
"""
