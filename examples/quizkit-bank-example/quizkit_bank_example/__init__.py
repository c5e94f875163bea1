"""Bank YAML files for quizkit, in this folder. quizkit never imports this module: it finds the folder."""
