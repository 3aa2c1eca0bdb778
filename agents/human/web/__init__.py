"""People at the nodes in browsers: a queue of workspaces served by a small web app."""
