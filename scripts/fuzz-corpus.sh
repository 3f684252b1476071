#!/usr/bin/env bash
# Generates the seed corpora of the libFuzzer targets (fuzz/) at run time, so no binary blobs are
# committed:   scripts/fuzz-corpus.sh OUT_DIR [TOLTECA_DB_BINARY]
#   OUT_DIR/filename  file names and paths: the simulator's manifest (good and bad files) + spec examples
#   OUT_DIR/spec      observation specs: the examples of the domain spec + edge cases
#   OUT_DIR/header    small netCDF files written by the simulator (each format, network/hwpr/tel/bad)
#   OUT_DIR/tel_csv   the simulator's LMT metadata catalogue CSV + hand-written variants
# Without a tolteca_db binary that has `simulate`, only the hand-written seeds are written.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: fuzz-corpus.sh OUT_DIR [TOLTECA_DB_BINARY]}"
bin="${2:-$here/build/tolteca_db}"
mkdir -p "$out"/{filename,spec,header,tel_csv}

n=0
seed() {  # seed DIR TEXT
  n=$((n + 1))
  printf '%s' "$2" > "$out/$1/hand_$n"
}

# --- file names ---------------------------------------------------------------
for s in \
  toltec/ics/toltec8/toltec8_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc \
  toltec0_131289_000_0002_2025_03_19_12_25_40.nc \
  toltec3_010860_00_0000_2020_03_23_18_51_39_tune.txt \
  toltec/tcs/toltec12/toltec12_131289_000_0001_2025_03_19_12_20_01_tune.nc \
  toltec8_018341_000_0000_2024_11_13_17_24_46_vnasweep_processed.nc \
  toltec8_018342_000_0000_2024_11_13_17_30_01_targsweep_kids_find.ecsv \
  toltec1_131289_000_0002_2025_03_19_12_25_40_d21.nc \
  toltec/tcs/hwpr/hwpr_131289_0_2_2025_03_19_12_25_40.nc \
  toltec/ics/toltec_hk/toltec_hk_18341_0_0_2024_11_13_17_24_46.nc \
  toltec_hk_2024-11-13_18341_0_0.nc \
  tel/tel_toltec_2024-11-13_131289_00_0002.nc \
  tel/tel_toltec2_2024-11-13_131289_00_0002.nc \
  toltec/ics/wyatt/wyatt_2024-11-13_18341_0_0.nc \
  toltec0.nc tel.nc hwpr.nc README.txt 'toltec5_999999_999_9999_2024_02_30_25_61_61.nc' \
  'toltec13_018341_000_0000_2024_11_13_17_24_46.nc' ; do
  seed filename "$s"
done

# --- specs ----------------------------------------------------------------------
for s in 18366 'ics-18366-[0:10]' 'tcs-131289-0-{2,3}' '[]/7' '131288-[]-1' latest latest/7 'ICS-18366' \
  'ics-18366-[0:10:2]/toltec7' '[10:]' '{}' '[:]' 'clip-1-{0, 1 ,2}-[ 0 : 4 ]/hwpr' 'tcs-131289/tel_toltec' \
  '18366/toltec_hk' 'ics-latest/12' '[5:1]' '{3,1,2,2}' '99999999999999999999' 'ics-18366-0-0-0' 'ics-' ; do
  seed spec "$s"
done

# --- tel CSV ----------------------------------------------------------------------
cat > "$out/tel_csv/hand_full.csv" <<'CSV'
ObsNum,Date/Time [UT],SourceName,ObsGoal,ProjectId,ObsPgm,IntegrationTime,MainTime,RefTime,Az [deg],El [deg],UserAzOffset ["],UserElOffset ["],PaddleAzOffset ["],PaddleElOffset ["],M1Zernike0 [micron],M1Zernike1 [micron],M1Zernike2 [micron],M1Zernike3 [micron],M1Zernike4 [micron],M1Zernike5 [micron],M1Zernike6 [micron],M2XOffset [mm],M2YOffset [mm],M2ZOffset [mm],Tau,CraneInBeam,FileName,Valid
93026.0.1,2022-03-02 04:05:06,Uranus,Pointing,2022-S1-US-1,Map,30,30,0,180.5,45.2,1.5,-2.0,0,0,0,0,0,0,0,0,0,0.1,0.2,-1.5,0.08,0,/data_lmt/tel/tel_toltec_2022-03-02_093026_00_0001.nc,1
131289.0.2,2025-03-19 12:25:40,"M 82, core",science,2025-S1-MX-3,Lissajous,600,600,0,10,60,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0.2,0,tel_toltec_2025-03-19_131289_00_0002.nc,0
CSV
printf 'ObsNum\n1.0.0\n2.0.0\n' > "$out/tel_csv/hand_min.csv"
printf 'ObsNum,Tau,Valid\r\n1.0.0,0.1,1\r\nbad,x,2\r\n"3.0.0",,\r\n' > "$out/tel_csv/hand_crlf.csv"

# --- from the simulator ---------------------------------------------------------
if [ -x "$bin" ] && "$bin" simulate --help >/dev/null 2>&1; then
  sim="$(mktemp -d)"
  trap 'rm -rf "$sim"' EXIT
  for fmt in classic 64bit netcdf4; do
    "$bin" simulate "$sim/$fmt" --seed 7 --format "$fmt" --bad-files --scale 0.05 --catalog "$sim/$fmt.csv" --json \
      > "$sim/$fmt.json" 2>/dev/null || { echo "fuzz-corpus: simulate failed; hand-written seeds only" >&2; break; }
    python3 - "$sim/$fmt.json" "$out/filename" "$fmt" <<'PY'
import json, sys, os
m = json.load(open(sys.argv[1]))
paths = [f["path"] for f in m["files"]] + [b["path"] for b in m.get("bad_files", [])]
seen = set()
for i, p in enumerate(paths):
    base = os.path.basename(p)
    key = (base.split("_")[0], base.rsplit("_", 1)[-1])  # one per interface x suffix
    if key in seen and i % 50:
        continue
    seen.add(key)
    open(os.path.join(sys.argv[2], f"sim_{sys.argv[3]}_{i}"), "w").write(p)
PY
    # One netCDF file per (interface, suffix) of at most 64 KiB, plus every bad file.
    declare -A taken=()
    while IFS= read -r -d '' f; do
      b="$(basename "$f")"
      key="$(echo "$b" | sed -E 's/[0-9]+//g')"
      [ -n "${taken[$key]:-}" ] && continue
      [ "$(stat -c %s "$f")" -le 65536 ] || continue
      taken[$key]=1
      cp "$f" "$out/header/sim_${fmt}_$(echo "$key" | tr -c 'A-Za-z._\n' '_')"
    done < <(find "$sim/$fmt" -type f -name '*.nc' -print0 | sort -z)
    unset taken
    [ -s "$sim/$fmt.csv" ] && cp "$sim/$fmt.csv" "$out/tel_csv/sim_$fmt.csv"
  done
else
  echo "fuzz-corpus: $bin has no 'simulate' command; hand-written seeds only" >&2
fi
# A header seed even without the simulator: the smallest valid classic file.
if [ -z "$(ls -A "$out/header")" ] && command -v ncgen >/dev/null; then
  cdl="$(mktemp --suffix=.cdl)"
  printf 'netcdf s {\nvariables:\n int Header.Toltec.ObsNum ;\ndata:\n Header.Toltec.ObsNum = 18341 ;\n}\n' > "$cdl"
  ncgen -k nc3 -o "$out/header/hand_min.nc" "$cdl"
  rm -f "$cdl"
fi
for d in filename spec header tel_csv; do
  printf 'fuzz-corpus: %-8s %4d seeds\n' "$d" "$(ls "$out/$d" | wc -l)"
done
