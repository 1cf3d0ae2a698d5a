"""Broker export layouts as data: one `Profile` per broker, nothing else per broker.

A profile says which header names feed which ledger field, which action words mean
which transaction type (regular expressions tried in order against the action cell),
the date formats, separators and the lines to ignore after the data. Adding a broker
means adding one entry to PROFILES; the reader and mapper know no broker by name.

Action targets are ledger types (`buy`, `sell`, ...) or one of the decisions below,
made per row from the numbers because brokers use one word for both directions:
`cash` (deposit if the amount is positive, else withdrawal), `trade` (buy if shares
arrive or cash leaves, else sell), `transfer` (transfer_in if shares arrive, else
transfer_out), `withholding` (tax withheld on income: a fee when it takes cash, a
dividend when it gives cash back, as a refund or the reversal of a corrected
dividend's tax does) and `skip` (not a ledger event: sweeps, journal notes; reported
as a warning, with the profile's reason when it gives one in `skip_reasons`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

FIELDS = (
    "date",
    "action",
    "symbol",
    "description",
    "quantity",
    "price",
    "fees",
    "amount",
    "currency",
    "note",
    "lot_id",
    "split_ratio",
    "acquired_date",
    "original_basis",
    # The broker's running cash balance after the row (checked, never imported), and
    # its currency where the layout prints that in a cell of its own (Degiro).
    "balance",
    "balance_currency",
)
# Every matching column of these fields is added up (commission + fees + reg fee ...).
SUM_FIELDS = frozenset({"fees"})
DECISIONS = frozenset({"cash", "trade", "transfer", "withholding", "skip"})


@dataclass(frozen=True)
class PositionsSpec:
    """Where a file prints the positions it holds: a holdings block above the
    transactions (Vanguard), or a section of a sectioned statement (IBKR "Open
    Positions"), with the columns naming symbol and shares and, optionally, cells a
    row must match to count (IBKR prints a "Summary" row per symbol and "Lot" rows)."""

    symbol: str
    shares: str
    section: str | None = None
    where: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CashReportSpec:
    """A statement section giving each currency's cash at the start and the end of the
    period (IBKR "Cash Report"): the rows are labelled in `label`, per `currency`, with
    the figure in `amount`."""

    section: str
    label: str
    currency: str
    amount: str
    start: str
    end: str


def norm_header(text: str) -> str:
    return " ".join(text.replace("\ufeff", "").strip().strip('"').lower().split())


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    columns: Mapping[str, tuple[str, ...]]
    actions: tuple[tuple[str, str], ...] = ()
    date_formats: tuple[str, ...] = ("%m/%d/%Y",)
    required: tuple[str, ...] = ("date", "action")
    decimal: str = "."
    thousands: str = ","
    # An action for every row when the layout has no action column (Degiro trades).
    default_action: str | None = None
    # First-cell patterns of total, disclaimer and end-of-file lines.
    footer: tuple[str, ...] = ()
    # Where a symbol is missing, the first group of this pattern on the description.
    symbol_pattern: str | None = None
    # Cells that must match for a row to be a transaction (IBKR "DataDiscriminator").
    row_filter: Mapping[str, str] = field(default_factory=dict)
    # Sectioned statements (IBKR activity): the section this part reads, and the parts.
    section: str | None = None
    parts: tuple[Profile, ...] = ()
    # Header names that only this layout uses, to break ties in detection.
    signature: tuple[str, ...] = ()
    # Brokers that write a reinvested dividend as two rows (income, then the buy of it);
    # the generic layout uses the ledger's own `reinvest`, so it never pairs.
    pair_reinvestments: bool = True
    # The amount column is the gross trade value (IBKR "Proceeds", Degiro "Local value"):
    # fees come on top of a buy and off a sell.
    amount_is_gross: bool = False
    # Positions the file prints beside its transactions (see PositionsSpec).
    positions: PositionsSpec | None = None
    # Starting and ending cash per currency printed in the file (see CashReportSpec).
    cash_report: CashReportSpec | None = None
    # Why rows are skipped, keyed by the `actions` pattern that skips them; the
    # warning on each skipped row says it.
    skip_reasons: Mapping[str, str] = field(default_factory=dict)
    # The running balance moves with the rows this layout skips too (Degiro's account
    # statement prints trades and currency exchanges the ledger takes from elsewhere or
    # not at all): their cash is counted when the balance is checked, never imported.
    balance_counts_skipped: bool = False
    # A row with no date and no figures is the wrapped tail of the row above (Degiro
    # breaks a long Order Id onto a line of its own); its text is joined to that row.
    continuation_rows: bool = False

    def headers_for(self, name: str) -> tuple[str, ...]:
        return tuple(norm_header(h) for h in self.columns.get(name, ()))

    def expected_headers(self) -> list[str]:
        if self.parts:
            return [f"{p.section}: {', '.join(p.expected_headers())}" for p in self.parts]
        names = [self.columns[f][0] for f in self.columns if f in self.required] + [
            self.columns[f][0] for f in self.columns if f not in self.required
        ]
        return list(dict.fromkeys(readable_header(n) for n in names))

    def classify(self, action: str) -> str | None:
        found = self.decide(action)
        return found[0] if found else None

    def decide(self, action: str) -> tuple[str, str] | None:
        """The target of the first pattern the action matches, with that pattern."""
        for (pattern, target), raw in zip(self._compiled(), self.actions, strict=True):
            if pattern.search(action):
                return target, raw[0]
        return None

    def _compiled(self) -> list[tuple[re.Pattern[str], str]]:
        cached: list[tuple[re.Pattern[str], str]] | None = self.__dict__.get("_patterns")
        if cached is None:
            cached = [(re.compile(p, re.IGNORECASE), t) for p, t in self.actions]
            object.__setattr__(self, "_patterns", cached)
        return cached


def readable_header(name: str) -> str:
    """A header as a message shows it: "Change+1" is the unnamed cell after "Change"."""
    if name.endswith("+1"):
        return f"(the cell after '{name[:-2]}')"
    if name.endswith("+2"):
        return f"(2 cells after '{name[:-2]}')"
    return name


LEDGER_TYPES = (
    "buy",
    "sell",
    "dividend",
    "reinvest",
    "interest",
    "fee",
    "split",
    "deposit",
    "withdrawal",
    "transfer_in",
    "transfer_out",
)

GENERIC = Profile(
    name="generic",
    title="Generic CSV (date,type,symbol,quantity,price,fees,amount,currency; ledger type names)",
    columns={
        "date": ("date",),
        "action": ("type",),
        "symbol": ("symbol",),
        "quantity": ("quantity",),
        "price": ("price",),
        "fees": ("fees",),
        "amount": ("amount",),
        "currency": ("currency",),
        "note": ("note",),
        "lot_id": ("lot_id",),
        "split_ratio": ("split_ratio",),
        "acquired_date": ("acquired_date",),
        "original_basis": ("original_basis",),
    },
    actions=tuple((f"^{t}$", t) for t in LEDGER_TYPES),
    date_formats=("%Y-%m-%d",),
    required=("date", "action", "symbol", "quantity", "price", "fees", "amount", "currency"),
    thousands="",
    pair_reinvestments=False,
)

FIDELITY = Profile(
    name="fidelity",
    title="Fidelity (Accounts_History.csv)",
    columns={
        "date": ("Run Date",),
        "action": ("Action",),
        "symbol": ("Symbol",),
        "description": ("Description", "Security Description"),
        "quantity": ("Quantity",),
        "price": ("Price ($)", "Price"),
        "fees": ("Commission ($)", "Fees ($)", "Commission", "Fees"),
        "amount": ("Amount ($)", "Amount"),
        "currency": ("Currency",),
        # Newer exports (newest row first): core cash after the row, or "Processing".
        "balance": ("Cash Balance ($)", "Cash Balance"),
    },
    actions=(
        (r"^YOU BOUGHT", "buy"),
        (r"^YOU SOLD", "sell"),
        # The core money market is the account's cash (its purchases and redemptions
        # are skipped below): a dividend reinvested into it stays cash, as Fidelity's
        # "Cash Balance" counts it.
        (r"^REINVESTMENT .*\((SPAXX|FDRXX|FZFXX|SPRXX|FZDXX|FCASH|CORE\*\*)\)", "skip"),
        (r"^REINVESTMENT", "reinvest"),
        (r"^(DIVIDEND RECEIVED|LONG-TERM CAP GAIN|SHORT-TERM CAP GAIN)", "dividend"),
        (r"^INTEREST EARNED", "interest"),
        (r"^(FOREIGN TAX PAID|FEE CHARGED|ADVISORY FEE)", "fee"),
        (r"^DISTRIBUTION.*SPLIT|^STOCK SPLIT", "split"),
        (r"^(ELECTRONIC FUNDS TRANSFER|CASH CONTRIBUTION|CHECK RECEIVED|PARTIC CONTR)", "cash"),
        (r"^(TRANSFERRED FROM|TRANSFER OF ASSETS|TRANSFERRED TO)", "transfer"),
        (r"^(PURCHASE INTO CORE ACCOUNT|REDEMPTION FROM CORE ACCOUNT)", "skip"),
        (r"^DISTRIBUTION", "split"),
    ),
    footer=(
        r"^The data and information",
        r"^Brokerage services are provided",
        r"^Date downloaded",
        r"^Fidelity",
        r'^"?The data',
    ),
    signature=("Run Date", "Settlement Date"),
)

SCHWAB = Profile(
    name="schwab",
    title="Charles Schwab (Transactions CSV)",
    columns={
        "date": ("Date",),
        "action": ("Action",),
        "symbol": ("Symbol",),
        "description": ("Description",),
        "quantity": ("Quantity",),
        "price": ("Price",),
        "fees": ("Fees & Comm",),
        "amount": ("Amount",),
    },
    actions=(
        (r"^Buy$", "buy"),
        (r"^Sell$", "sell"),
        # The buy leg of a reinvested dividend; its "Reinvest Dividend" row is the income.
        (r"^Reinvest Shares", "reinvest"),
        (
            r"^(Qualified Dividend|Cash Dividend|Non-Qualified Div|Reinvest Dividend|"
            r"Qual Div Reinvest|Pr Yr Div Reinvest|Long Term Cap Gain|Short Term Cap Gain|"
            r"Special Dividend)",
            "dividend",
        ),
        (r"^(Bank Interest|Credit Interest|Bond Interest)", "interest"),
        (r"^(Service Fee|ADR Mgmt Fee|Foreign Tax Paid|NRA Tax Adj|Margin Interest)", "fee"),
        (r"^Stock Split", "split"),
        (
            r"^(MoneyLink Transfer|MoneyLink Deposit|Wire Funds|Wire Received|Journal|"
            r"Funds Received|Wire Sent)",
            "cash",
        ),
        (r"^(Security Transfer|Journaled Shares)", "transfer"),
    ),
    footer=(r"^Transactions Total",),
    signature=("Fees & Comm",),
)
VANGUARD = Profile(
    name="vanguard",
    title="Vanguard (OfxDownload.csv transactions section)",
    columns={
        "date": ("Trade Date",),
        "action": ("Transaction Type",),
        "symbol": ("Symbol",),
        "description": ("Transaction Description", "Investment Name"),
        "quantity": ("Shares",),
        "price": ("Share Price",),
        "fees": ("Commissions and Fees",),
        "amount": ("Net Amount",),
    },
    actions=(
        (r"^Buy", "buy"),
        (r"^Sell", "sell"),
        (r"^Reinvestment", "reinvest"),
        (r"^(Dividend|Capital gain)", "dividend"),
        (r"^Interest", "interest"),
        (r"^Fee", "fee"),
        (r"^Stock split", "split"),
        (r"^(Funds Received|Contribution)", "deposit"),
        (r"^Withdrawal", "withdrawal"),
        (r"^Transfer \(incoming\)", "transfer_in"),
        (r"^Transfer \(outgoing\)", "transfer_out"),
        (r"^(Sweep in|Sweep out)", "skip"),
    ),
    date_formats=("%m/%d/%Y", "%Y-%m-%d"),
    signature=("Principal Amount", "Transaction Type"),
    positions=PositionsSpec(symbol="Symbol", shares="Shares"),
)

IBKR_FLEX = Profile(
    name="ibkr_flex",
    title="Interactive Brokers (Flex query trades CSV)",
    columns={
        "date": ("TradeDate", "Trade Date"),
        "action": ("Buy/Sell",),
        "symbol": ("Symbol",),
        "description": ("Description",),
        "quantity": ("Quantity",),
        "price": ("TradePrice", "Trade Price"),
        "fees": ("IBCommission", "IB Commission"),
        "amount": ("NetCash", "Net Cash"),
        "currency": ("CurrencyPrimary", "Currency"),
    },
    actions=((r"^BUY", "buy"), (r"^SELL", "sell")),
    date_formats=("%Y%m%d", "%Y-%m-%d", "%m/%d/%Y"),
    signature=("IBCommission", "NetCash", "TradeDate"),
)

_IBKR_CASH = {
    "currency": ("Currency",),
    "date": ("Date", "Settle Date"),
    "description": ("Description",),
    "amount": ("Amount",),
}
IBKR_ACTIVITY = Profile(
    name="ibkr_activity",
    title="Interactive Brokers (activity statement CSV)",
    columns={},
    parts=(
        Profile(
            name="ibkr_activity",
            title="Trades",
            section="Trades",
            columns={
                "currency": ("Currency",),
                "symbol": ("Symbol",),
                "date": ("Date/Time",),
                "quantity": ("Quantity",),
                "price": ("T. Price",),
                "amount": ("Proceeds",),
                "fees": ("Comm/Fee", "Comm in USD"),
            },
            required=("date", "symbol", "quantity"),
            default_action="trade",
            amount_is_gross=True,
            date_formats=("%Y-%m-%d",),
            row_filter={"DataDiscriminator": "^Order$"},
            footer=(r"^Total",),
        ),
        Profile(
            name="ibkr_activity",
            title="Dividends",
            section="Dividends",
            columns=_IBKR_CASH,
            required=("date", "amount"),
            default_action="dividend",
            date_formats=("%Y-%m-%d",),
            symbol_pattern=r"^([A-Z0-9.]+)\s*\(",
            footer=(r"^Total",),
        ),
        Profile(
            name="ibkr_activity",
            title="Withholding Tax",
            section="Withholding Tax",
            columns=_IBKR_CASH,
            required=("date", "amount"),
            default_action="fee",
            date_formats=("%Y-%m-%d",),
            symbol_pattern=r"^([A-Z0-9.]+)\s*\(",
            footer=(r"^Total",),
        ),
        Profile(
            name="ibkr_activity",
            title="Deposits & Withdrawals",
            section="Deposits & Withdrawals",
            columns=_IBKR_CASH,
            required=("date", "amount"),
            default_action="cash",
            date_formats=("%Y-%m-%d",),
            footer=(r"^Total",),
        ),
        Profile(
            name="ibkr_activity",
            title="Interest",
            section="Interest",
            columns=_IBKR_CASH,
            required=("date", "amount"),
            default_action="interest",
            date_formats=("%Y-%m-%d",),
            footer=(r"^Total",),
        ),
        Profile(
            name="ibkr_activity",
            title="Fees",
            section="Fees",
            columns=_IBKR_CASH,
            required=("date", "amount"),
            default_action="fee",
            date_formats=("%Y-%m-%d",),
            footer=(r"^Total",),
        ),
    ),
    positions=PositionsSpec(
        symbol="Symbol",
        shares="Quantity",
        section="Open Positions",
        where={"DataDiscriminator": "^Summary$"},
    ),
    cash_report=CashReportSpec(
        section="Cash Report",
        label="Currency Summary",
        currency="Currency",
        amount="Total",
        start="Starting Cash",
        end="Ending Cash",
    ),
)

ETRADE = Profile(
    name="etrade",
    title="E*TRADE (transaction history CSV)",
    columns={
        "date": ("TransactionDate",),
        "action": ("TransactionType",),
        "symbol": ("Symbol",),
        "description": ("Description",),
        "quantity": ("Quantity",),
        "price": ("Price",),
        "fees": ("Commission",),
        "amount": ("Amount",),
    },
    actions=(
        (r"^Bought", "buy"),
        (r"^Sold", "sell"),
        (r"^(Dividend Reinvestment|Reinvest)", "reinvest"),
        (r"^(Dividend|Qualified Dividend|Capital Gain)", "dividend"),
        (r"^Interest", "interest"),
        (r"^(Fee|Service Fee|Foreign Tax)", "fee"),
        (r"^(Stock Split|Forward Split)", "split"),
        (r"^(Online Transfer|Transfer|Deposit|Withdrawal|Wire|ACH)", "cash"),
    ),
    date_formats=("%m/%d/%y", "%m/%d/%Y"),
    signature=("TransactionDate", "SecurityType"),
)

ROBINHOOD = Profile(
    name="robinhood",
    title="Robinhood (account activity report CSV)",
    columns={
        "date": ("Activity Date",),
        "action": ("Trans Code",),
        "symbol": ("Instrument",),
        "description": ("Description",),
        "quantity": ("Quantity",),
        "price": ("Price",),
        "amount": ("Amount",),
    },
    actions=(
        (r"^Buy$", "buy"),
        (r"^Sell$", "sell"),
        (r"^(CDIV|MDIV)$", "dividend"),
        (r"^DRIP$", "reinvest"),
        (r"^(INT|SLIP)$", "interest"),
        (r"^(GOLD|DTAX|AFEE|DFEE)$", "fee"),
        (r"^SPL$", "split"),
        (r"^(ACH|XENT|RTP|WIRE)$", "cash"),
        (r"^(ACATI|ACATO)$", "transfer"),
    ),
    date_formats=("%m/%d/%Y",),
    footer=(r"^$",),
    signature=("Activity Date", "Trans Code", "Process Date"),
)

TD_AMERITRADE = Profile(
    name="tdameritrade",
    title="TD Ameritrade (transactions.csv history export)",
    columns={
        "date": ("DATE",),
        "action": ("DESCRIPTION",),
        "symbol": ("SYMBOL",),
        "description": ("DESCRIPTION",),
        "quantity": ("QUANTITY",),
        "price": ("PRICE",),
        "fees": (
            "COMMISSION",
            "REG FEE",
            "SHORT-TERM RDM FEE",
            "FUND REDEMPTION FEE",
            "DEFERRED SALES CHARGE",
        ),
        "amount": ("AMOUNT",),
    },
    actions=(
        (r"^Bought", "buy"),
        (r"^Sold", "sell"),
        (
            r"^(ORDINARY DIVIDEND|QUALIFIED DIVIDEND|LONG TERM GAIN DISTRIBUTION|"
            r"SHORT TERM CAPITAL GAINS)",
            "dividend",
        ),
        (r"DIVIDEND REINVESTMENT|^REINVEST SHARES", "reinvest"),
        (r"INTEREST", "interest"),
        (r"^(W-8 WITHHOLDING|FOREIGN TAX|.*FEE)", "fee"),
        (r"^STOCK SPLIT", "split"),
        (r"ELECTRONIC FUNDING|WIRE INCOMING|WIRE OUTGOING|CASH ALTERNATIVES", "cash"),
        (r"^TRANSFER OF SECURITY", "transfer"),
    ),
    footer=(r"^\*\*\*END OF FILE\*\*\*",),
    symbol_pattern=r"\(([A-Z.]+)\)",
    signature=("TRANSACTION ID", "REG FEE"),
)

DEGIRO = Profile(
    name="degiro",
    title="Degiro (Transactions.csv)",
    columns={
        "date": ("Date", "Datum"),
        "symbol": ("ISIN",),
        "description": ("Product", "Produkt"),
        "quantity": ("Quantity", "Aantal", "Anzahl"),
        "price": ("Price", "Koers", "Kurs"),
        "currency": ("Price+1", "Koers+1", "Kurs+1"),
        "fees": (
            "Transaction and/or third",
            "Transaction costs",
            "Transactiekosten en/of kosten van derden",
            "Transactiekosten",
            "Transaktionskosten und/oder Dritter",
            "Transaktionskosten",
        ),
        "amount": ("Local value", "Lokale waarde", "Wert in Lokalwährung"),
    },
    required=("date", "quantity", "price"),
    default_action="trade",
    amount_is_gross=True,
    date_formats=("%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"),
    decimal="auto",
    thousands="auto",
    signature=("ISIN", "Reference exchange", "Venue", "Order ID"),
)

# Degiro's account statement (Account.csv, "Rekeningoverzicht"): every cash movement of
# the account, newest first, each with the balance of its currency after it. The
# "Change"/"Mutatie" and "Balance"/"Saldo" headers each stand over two cells, the
# currency code and then the amount. Only the rows that are ledger events and that
# Transactions.csv does not carry are imported; each skipped kind says why below.
_DEGIRO_SKIPS: tuple[tuple[str, str], ...] = (
    (
        r"^DEGIRO Transact",
        "the costs of a trade, which Transactions.csv gives in its 'Transaction and/or "
        "third' column and the degiro profile adds to the trade's fees; importing them "
        "here too would count them twice",
    ),
    (
        r"Cash Sweep|Overboeking (van|naar) uw geldrekening|Transfer (from|to) your Cash "
        r"Account|^Processed Flatex Withdrawal|^(Geldmarktfonds|Money Market fund)",
        "cash moving between the account and its own flatexDEGIRO bank account or "
        "money-market fund; the money stays the account's",
    ),
    (
        r"^Reserv(ation|ering)\b",
        "a hold on a deposit on its way, reversed when the deposit itself is booked on its own row",
    ),
    (
        r"^(Valuta (Creditering|Debitering)|FX (Credit|Debit))\b",
        "an exchange between the account's own currency wallets; the ledger keeps "
        "each currency's cash and has no exchange type, and a pair of rows, one per "
        "currency, is neither income nor a cost",
    ),
    (
        r"^([^:@]{1,40}:\s*)?(Buy|Sell|Koop|Verkoop)\s+[0-9]",
        "a trade, which Transactions.csv carries with its quantity, price and costs; "
        "this file gives only its cash",
    ),
)
DEGIRO_ACCOUNT = Profile(
    name="degiro_account",
    title="Degiro (Account.csv account statement)",
    columns={
        # The booking date, the order the statement and its balances follow (the
        # "Value date" beside it is the bank's interest date).
        "date": ("Date", "Datum"),
        "action": ("Description", "Omschrijving"),
        # The ISIN, as the degiro (Transactions.csv) profile uses it, so a dividend
        # lands on the holding its trades built.
        "symbol": ("ISIN",),
        "description": ("Product",),
        "currency": ("Change", "Mutatie"),
        "amount": ("Change+1", "Mutatie+1"),
        "balance_currency": ("Balance", "Saldo"),
        "balance": ("Balance+1", "Saldo+1"),
    },
    actions=(
        *((pattern, "skip") for pattern, _ in _DEGIRO_SKIPS),
        # Tax withheld on a dividend is a fee on that ISIN, as Fidelity's "FOREIGN TAX
        # PAID" and IBKR's "Withholding Tax" are; a positive one gives tax back.
        (r"^Dividend ?(Tax|belasting)\b", "withholding"),
        (r"^Dividend\b", "dividend"),
        # Degiro charged negative interest on cash for years: the mapper makes a
        # negative interest row a fee.
        (r"Interest|\bRente\b", "interest"),
        (r"Deposit|Storting|Withdrawal", "cash"),
        (r"Connection Fee|Aansluitingskosten|ADR/GDR", "fee"),
    ),
    skip_reasons=dict(_DEGIRO_SKIPS),
    required=("date", "action", "amount"),
    date_formats=("%d-%m-%Y", "%d/%m/%Y"),
    decimal="auto",
    thousands="auto",
    pair_reinvestments=False,
    balance_counts_skipped=True,
    continuation_rows=True,
    signature=("Value date", "Valutadatum", "FX", "Order Id"),
)

TRADING212 = Profile(
    name="trading212",
    title="Trading 212 (history export CSV)",
    columns={
        "date": ("Time",),
        "action": ("Action",),
        "symbol": ("Ticker",),
        "description": ("Name",),
        "quantity": ("No. of shares",),
        "price": ("Price / share",),
        "fees": ("Currency conversion fee", "Withholding tax"),
        "amount": ("Total", "Total (EUR)", "Total (GBP)", "Total (USD)"),
        "currency": ("Currency (Total)", "Currency (Price / share)"),
        "note": ("Notes",),
    },
    actions=(
        (r"buy$", "buy"),
        (r"sell$", "sell"),
        (r"^Dividend", "dividend"),
        (r"^Interest on cash", "interest"),
        (r"^Deposit", "deposit"),
        (r"^Withdrawal", "withdrawal"),
        (r"^Currency conversion", "skip"),
    ),
    date_formats=("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d"),
    signature=("No. of shares", "Price / share"),
)

PROFILES: tuple[Profile, ...] = (
    GENERIC,
    FIDELITY,
    SCHWAB,
    VANGUARD,
    IBKR_FLEX,
    IBKR_ACTIVITY,
    ETRADE,
    ROBINHOOD,
    TD_AMERITRADE,
    DEGIRO,
    DEGIRO_ACCOUNT,
    TRADING212,
)


def by_name(name: str) -> Profile | None:
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    aliases = {
        "ibkr": "ibkr_activity",
        "interactive_brokers": "ibkr_activity",
        "td_ameritrade": "tdameritrade",
        "tda": "tdameritrade",
        "e*trade": "etrade",
        "e_trade": "etrade",
        "t212": "trading212",
        "trading_212": "trading212",
    }
    key = aliases.get(key, key)
    return next((p for p in PROFILES if p.name == key), None)
