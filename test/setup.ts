// Runner-like environment for every test: no test may write into the real GitHub
// environment files or pick up a developer's KUBECONFIG by accident.
delete process.env.GITHUB_OUTPUT
delete process.env.GITHUB_STEP_SUMMARY
delete process.env.GITHUB_STATE
delete process.env.KUBECONFIG
