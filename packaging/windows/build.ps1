# Build dist\PortfolioOS\ (PortfolioOS.exe for the window, portfolioos-cli.exe for the
# command line), check it with its own self-test, then the installer when Inno Setup's
# iscc.exe is on PATH (choco install innosetup).
# Not run by the authors yet (no Windows machine at hand); CI runs it on windows-latest.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")
$python = if ($env:PYTHON) { $env:PYTHON } else { ".venv\Scripts\python.exe" }
if (-not (Test-Path $python)) {
    py -3 -m venv .venv
    & .venv\Scripts\python.exe -m pip install -q -e ".[dev]"
    $python = ".venv\Scripts\python.exe"
}
& $python -m PyInstaller --version *> $null
if ($LASTEXITCODE -ne 0) { & $python -m pip install -q "pyinstaller>=6.6" }
$env:PYTHONPATH = (Get-Location).Path
$version = (& $python -c "import portfolioos; print(portfolioos.__version__)").Trim()
Remove-Item Env:PYTHONPATH

& $python -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build\pyinstaller portfolioos.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

$selftestArgs = if ($env:SELFTEST_ARGS) { $env:SELFTEST_ARGS -split " " } else { @() }
& dist\PortfolioOS\portfolioos-cli.exe self-test @selftestArgs
if ($LASTEXITCODE -ne 0) { throw "the bundle's self-test failed" }

Compress-Archive -Path dist\PortfolioOS -DestinationPath "dist\PortfolioOS-$version-windows-x64.zip" -Force
if (Get-Command iscc -ErrorAction SilentlyContinue) {
    iscc /Qp "/DAppVersion=$version" packaging\windows\installer.iss
    if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
} else {
    Write-Host "build: iscc not found; skipped the installer (the .zip is in dist\)"
}
