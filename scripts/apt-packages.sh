# Installing a tool from Debian's packages, for the install-*.sh scripts (sourced, not run).
#
# apt_install PURPOSE TOOL "PACKAGE..." [APT-GET OPTION...]
#   As root on Debian: apt-get install the packages, quietly. Otherwise it says what
#   to install for PURPOSE and exits 1. The caller checks first whether TOOL is there.
apt_install() {
    local purpose=$1 tool=$2 packages=$3
    shift 3
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
        echo "$tool is needed for $purpose: apt-get install -y $packages" >&2
        exit 1
    fi
    echo "installing $tool for $purpose (apt-get install $packages)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086  # the package list splits into words
    apt-get install -y -qq "$@" $packages >/dev/null
}
