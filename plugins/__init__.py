"""Built-in kaohe components, registered through the same hooks as third-party plugins."""
