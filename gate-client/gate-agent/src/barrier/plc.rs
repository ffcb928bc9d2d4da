//! The Modbus TCP client for one barrier PLC. Keeps tokio-modbus's split between a transport
//! failure (the PLC did not answer: reconnect next time) and a Modbus exception (the PLC
//! answered "no": the connection is fine).

use std::net::SocketAddr;
use std::time::Duration;

use tokio_modbus::client::{Context, Reader as _, Writer as _, tcp};
use tokio_modbus::slave::Slave;

/// Why a PLC request failed.
#[derive(Debug, thiserror::Error)]
pub enum PlcError {
    /// No answer within the time limit.
    #[error("道闸控制器 {0} 超时无响应 (PLC timed out)")]
    Timeout(SocketAddr),
    /// Connecting or the transport failed.
    #[error("道闸控制器 {addr} 通信失败 (PLC transport error): {source}")]
    Transport {
        /// The PLC.
        addr: SocketAddr,
        /// What failed.
        source: tokio_modbus::Error,
    },
    /// Connecting failed.
    #[error("无法连接道闸控制器 {addr} (cannot connect to the PLC): {source}")]
    Connect {
        /// The PLC.
        addr: SocketAddr,
        /// What failed.
        source: std::io::Error,
    },
    /// The PLC refused the request.
    #[error("道闸控制器拒绝请求 (PLC exception): {0}")]
    Exception(tokio_modbus::ExceptionCode),
}

/// A lazily connected client; a transport failure drops the connection so the next request
/// reconnects.
pub struct Plc {
    addr: SocketAddr,
    unit: u8,
    timeout: Duration,
    ctx: Option<Context>,
}

impl std::fmt::Debug for Plc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plc")
            .field("addr", &self.addr)
            .field("unit", &self.unit)
            .field("connected", &self.ctx.is_some())
            .finish()
    }
}

impl Plc {
    /// A client for `addr`, unit `unit`, with a time limit per request.
    pub fn new(addr: SocketAddr, unit: u8, timeout: Duration) -> Self {
        Self { addr, unit, timeout, ctx: None }
    }

    async fn context(&mut self) -> Result<&mut Context, PlcError> {
        if self.ctx.is_none() {
            let ctx =
                tokio::time::timeout(self.timeout, tcp::connect_slave(self.addr, Slave(self.unit)))
                    .await
                    .map_err(|_| PlcError::Timeout(self.addr))?
                    .map_err(|source| PlcError::Connect { addr: self.addr, source })?;
            self.ctx = Some(ctx);
        }
        Ok(self.ctx.as_mut().expect("connected above"))
    }

    /// Runs one request with the time limit, mapping the nested result.
    async fn call<T, F>(&mut self, f: F) -> Result<T, PlcError>
    where
        F: for<'c> FnOnce(
            &'c mut Context,
        ) -> std::pin::Pin<
            Box<dyn Future<Output = tokio_modbus::Result<T>> + Send + 'c>,
        >,
    {
        let addr = self.addr;
        let timeout = self.timeout;
        let ctx = self.context().await?;
        let result = tokio::time::timeout(timeout, f(ctx)).await;
        match result {
            Err(_) => {
                self.ctx = None;
                Err(PlcError::Timeout(addr))
            }
            Ok(Err(source)) => {
                self.ctx = None;
                Err(PlcError::Transport { addr, source })
            }
            Ok(Ok(Err(code))) => Err(PlcError::Exception(code)),
            Ok(Ok(Ok(value))) => Ok(value),
        }
    }

    /// Writes one coil (function code 05).
    pub async fn write_coil(&mut self, coil: u16, on: bool) -> Result<(), PlcError> {
        self.call(move |ctx| Box::pin(ctx.write_single_coil(coil, on))).await
    }

    /// Reads one coil (function code 01).
    pub async fn read_coil(&mut self, coil: u16) -> Result<bool, PlcError> {
        let bits = self.call(move |ctx| Box::pin(ctx.read_coils(coil, 1))).await?;
        Ok(bits.first().copied().unwrap_or(false))
    }

    /// Reads one discrete input (function code 02).
    pub async fn read_input(&mut self, input: u16) -> Result<bool, PlcError> {
        let bits = self.call(move |ctx| Box::pin(ctx.read_discrete_inputs(input, 1))).await?;
        Ok(bits.first().copied().unwrap_or(false))
    }
}
